//! What a respondent reads when a survey's access settings stop them: invitation only,
//! already answered, or a form to send again. In the languages of `words.rs`.

/// (invitation-only heading, invitation-only text, already answered, check and send again)
const ACCESS_WORDS: &[(&str, [&str; 4])] = &[
    (
        "en",
        [
            "Invitation only",
            "This survey is by invitation only. Please open it with the personal link from your invitation.",
            "You have already answered this survey. Thank you!",
            "Please check your answers and send them again.",
        ],
    ),
    (
        "es",
        [
            "Solo con invitación",
            "Esta encuesta es solo con invitación. Ábrala con el enlace personal de su invitación.",
            "Ya ha respondido a esta encuesta. ¡Gracias!",
            "Revise sus respuestas y envíelas de nuevo.",
        ],
    ),
    (
        "pt",
        [
            "Apenas por convite",
            "Este inquérito é apenas por convite. Abra-o com o link pessoal do seu convite.",
            "Já respondeu a este inquérito. Obrigado!",
            "Verifique as suas respostas e envie-as novamente.",
        ],
    ),
    (
        "fr",
        [
            "Sur invitation uniquement",
            "Ce questionnaire est réservé aux personnes invitées. Ouvrez-le avec le lien personnel de votre invitation.",
            "Vous avez déjà répondu à ce questionnaire. Merci !",
            "Veuillez vérifier vos réponses et les envoyer à nouveau.",
        ],
    ),
    (
        "de",
        [
            "Nur mit Einladung",
            "Diese Umfrage ist nur mit Einladung zugänglich. Bitte öffnen Sie sie über den persönlichen Link aus Ihrer Einladung.",
            "Sie haben diese Umfrage bereits beantwortet. Vielen Dank!",
            "Bitte prüfen Sie Ihre Antworten und senden Sie sie erneut.",
        ],
    ),
    (
        "pa",
        [
            "ਸਿਰਫ਼ ਸੱਦੇ ਨਾਲ",
            "ਇਹ ਸਰਵੇਖਣ ਸਿਰਫ਼ ਸੱਦੇ ਨਾਲ ਹੈ। ਕਿਰਪਾ ਕਰਕੇ ਇਸਨੂੰ ਆਪਣੇ ਸੱਦੇ ਵਿੱਚ ਦਿੱਤੇ ਨਿੱਜੀ ਲਿੰਕ ਨਾਲ ਖੋਲ੍ਹੋ।",
            "ਤੁਸੀਂ ਇਸ ਸਰਵੇਖਣ ਦਾ ਜਵਾਬ ਪਹਿਲਾਂ ਹੀ ਦੇ ਚੁੱਕੇ ਹੋ। ਧੰਨਵਾਦ!",
            "ਕਿਰਪਾ ਕਰਕੇ ਆਪਣੇ ਜਵਾਬ ਜਾਂਚੋ ਅਤੇ ਦੁਬਾਰਾ ਭੇਜੋ।",
        ],
    ),
    (
        "lo",
        [
            "ສະເພາະຜູ້ທີ່ໄດ້ຮັບເຊີນ",
            "ແບບສຳຫຼວດນີ້ສະເພາະຜູ້ທີ່ໄດ້ຮັບເຊີນເທົ່ານັ້ນ. ກະລຸນາເປີດດ້ວຍລິ້ງສ່ວນຕົວໃນຄຳເຊີນຂອງທ່ານ.",
            "ທ່ານໄດ້ຕອບແບບສຳຫຼວດນີ້ແລ້ວ. ຂອບໃຈ!",
            "ກະລຸນາກວດຄຳຕອບຂອງທ່ານ ແລະ ສົ່ງອີກຄັ້ງ.",
        ],
    ),
    (
        "ur",
        [
            "صرف دعوت پر",
            "یہ سروے صرف دعوت کے ذریعے ہے۔ براہ کرم اپنی دعوت میں دیا گیا ذاتی لنک استعمال کریں۔",
            "آپ اس سروے کا جواب پہلے ہی دے چکے ہیں۔ شکریہ!",
            "براہ کرم اپنے جوابات دیکھ لیں اور دوبارہ بھیجیں۔",
        ],
    ),
    (
        "bn",
        [
            "শুধু আমন্ত্রণে",
            "এই জরিপটি শুধু আমন্ত্রিতদের জন্য। অনুগ্রহ করে আপনার আমন্ত্রণের ব্যক্তিগত লিংক দিয়ে খুলুন।",
            "আপনি এই জরিপের উত্তর আগেই দিয়েছেন। ধন্যবাদ!",
            "অনুগ্রহ করে আপনার উত্তরগুলো দেখে আবার পাঠান।",
        ],
    ),
    (
        "hi",
        [
            "केवल आमंत्रण से",
            "यह सर्वेक्षण केवल आमंत्रित लोगों के लिए है। कृपया अपने आमंत्रण के निजी लिंक से खोलें।",
            "आप इस सर्वेक्षण का उत्तर पहले ही दे चुके हैं। धन्यवाद!",
            "कृपया अपने उत्तर जाँचें और फिर से भेजें।",
        ],
    ),
    (
        "th",
        [
            "เฉพาะผู้ได้รับเชิญ",
            "แบบสำรวจนี้สำหรับผู้ได้รับเชิญเท่านั้น โปรดเปิดด้วยลิงก์ส่วนตัวในคำเชิญของคุณ",
            "คุณได้ตอบแบบสำรวจนี้แล้ว ขอบคุณ!",
            "โปรดตรวจสอบคำตอบของคุณแล้วส่งอีกครั้ง",
        ],
    ),
    (
        "ja",
        [
            "招待者限定",
            "このアンケートは招待された方のみご回答いただけます。招待状の個人用リンクから開いてください。",
            "このアンケートにはすでに回答済みです。ありがとうございました。",
            "回答をご確認のうえ、もう一度送信してください。",
        ],
    ),
    (
        "zh",
        [
            "仅限受邀者",
            "此调查仅限受邀者参与。请使用邀请中的个人链接打开。",
            "您已经回答过此调查。谢谢！",
            "请检查您的回答并重新提交。",
        ],
    ),
    (
        "ar",
        [
            "بدعوة فقط",
            "هذا الاستبيان متاح بدعوة فقط. يُرجى فتحه من الرابط الشخصي في دعوتك.",
            "لقد أجبت عن هذا الاستبيان من قبل. شكرًا لك!",
            "يُرجى مراجعة إجاباتك وإرسالها مرة أخرى.",
        ],
    ),
];

/// Access words in `lang` (by primary subtag), English when we have none.
pub(crate) fn access_words(lang: &str) -> [&'static str; 4] {
    let primary = lang.split('-').next().unwrap_or(lang);
    ACCESS_WORDS
        .iter()
        .find(|(l, _)| *l == primary)
        .or_else(|| ACCESS_WORDS.first())
        .map(|(_, w)| *w)
        .unwrap_or(["", "", "", ""])
}

#[cfg(test)]
mod tests {
    /// Every language with interface words has access words too.
    #[test]
    fn every_interface_language_is_covered() {
        for lang in [
            "en", "es", "pt", "fr", "de", "pa", "lo", "ur", "bn", "hi", "th", "ja", "zh", "ar",
        ] {
            assert!(
                super::ACCESS_WORDS.iter().any(|(l, _)| *l == lang),
                "{lang}"
            );
        }
    }
}
