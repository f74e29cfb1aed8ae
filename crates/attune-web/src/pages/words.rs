//! The few interface words a respondent sees, in the languages feedback arrives in. Survey
//! questions themselves come from the survey; these only frame them.

/// (language, submit, thank-you heading, thank-you text, already answered, not likely, very likely)
const WORDS: &[(&str, [&str; 6])] = &[
    (
        "en",
        [
            "Send",
            "Thank you",
            "Your answer has been recorded.",
            "This invitation has already been answered.",
            "Not at all likely",
            "Extremely likely",
        ],
    ),
    (
        "es",
        [
            "Enviar",
            "Gracias",
            "Hemos recibido su respuesta.",
            "Esta invitación ya fue respondida.",
            "Nada probable",
            "Muy probable",
        ],
    ),
    (
        "pt",
        [
            "Enviar",
            "Obrigado",
            "A sua resposta foi registada.",
            "Este convite já foi respondido.",
            "Nada provável",
            "Muito provável",
        ],
    ),
    (
        "fr",
        [
            "Envoyer",
            "Merci",
            "Votre réponse a été enregistrée.",
            "Cette invitation a déjà reçu une réponse.",
            "Pas du tout probable",
            "Très probable",
        ],
    ),
    (
        "de",
        [
            "Senden",
            "Danke",
            "Ihre Antwort wurde gespeichert.",
            "Diese Einladung wurde bereits beantwortet.",
            "Gar nicht wahrscheinlich",
            "Äußerst wahrscheinlich",
        ],
    ),
    (
        "pa",
        [
            "ਭੇਜੋ",
            "ਧੰਨਵਾਦ",
            "ਤੁਹਾਡਾ ਜਵਾਬ ਦਰਜ ਹੋ ਗਿਆ ਹੈ।",
            "ਇਸ ਸੱਦੇ ਦਾ ਜਵਾਬ ਪਹਿਲਾਂ ਹੀ ਦਿੱਤਾ ਜਾ ਚੁੱਕਾ ਹੈ।",
            "ਬਿਲਕੁਲ ਨਹੀਂ",
            "ਬਹੁਤ ਸੰਭਾਵਨਾ",
        ],
    ),
    (
        "lo",
        [
            "ສົ່ງ",
            "ຂອບໃຈ",
            "ພວກເຮົາໄດ້ຮັບຄຳຕອບຂອງທ່ານແລ້ວ",
            "ຄຳເຊີນນີ້ໄດ້ຖືກຕອບແລ້ວ",
            "ບໍ່ແນ່ນອນ",
            "ແນ່ນອນທີ່ສຸດ",
        ],
    ),
    (
        "ur",
        [
            "بھیجیں",
            "شکریہ",
            "آپ کا جواب محفوظ ہو گیا ہے۔",
            "اس دعوت کا جواب پہلے ہی دیا جا چکا ہے۔",
            "بالکل نہیں",
            "بہت زیادہ امکان",
        ],
    ),
    (
        "bn",
        [
            "পাঠান",
            "ধন্যবাদ",
            "আপনার উত্তর গ্রহণ করা হয়েছে।",
            "এই আমন্ত্রণের উত্তর আগেই দেওয়া হয়েছে।",
            "একেবারেই না",
            "খুবই সম্ভব",
        ],
    ),
    (
        "hi",
        [
            "भेजें",
            "धन्यवाद",
            "आपका उत्तर दर्ज हो गया है।",
            "इस निमंत्रण का उत्तर पहले ही दिया जा चुका है।",
            "बिल्कुल नहीं",
            "बहुत संभावना",
        ],
    ),
    (
        "th",
        [
            "ส่ง",
            "ขอบคุณ",
            "เราได้รับคำตอบของคุณแล้ว",
            "คำเชิญนี้ได้รับการตอบแล้ว",
            "ไม่น่าจะเลย",
            "น่าจะมากที่สุด",
        ],
    ),
    (
        "ja",
        [
            "送信",
            "ありがとうございます",
            "ご回答を受け付けました。",
            "この招待にはすでに回答済みです。",
            "まったく思わない",
            "非常にそう思う",
        ],
    ),
    (
        "zh",
        [
            "提交",
            "谢谢",
            "您的回答已记录。",
            "此邀请已被回答。",
            "完全不可能",
            "非常可能",
        ],
    ),
    (
        "ar",
        [
            "إرسال",
            "شكرًا لك",
            "تم تسجيل إجابتك.",
            "تمت الإجابة على هذه الدعوة من قبل.",
            "غير محتمل إطلاقًا",
            "محتمل جدًا",
        ],
    ),
];

/// Interface words in `lang` (by primary subtag), English when we have none.
pub(crate) fn words(lang: &str) -> [&'static str; 6] {
    let primary = lang.split('-').next().unwrap_or(lang);
    WORDS
        .iter()
        .find(|(l, _)| *l == primary)
        .or_else(|| WORDS.first())
        .map(|(_, w)| *w)
        .unwrap_or(["Send", "Thank you", "", "", "", ""])
}
