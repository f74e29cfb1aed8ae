//! The message a customer receives when their case is resolved: "You told us … Here is what we
//! did …", in the customer's language, from a template the organisation can edit.
//!
//! Placeholders: `{{name}}`, `{{feedback}}`, `{{resolution}}`, `{{resurvey}}` (the re-survey
//! line with its link, or nothing) and `{{org}}`. Messages are plain text, so nothing needs
//! escaping; header injection is impossible because subjects lose their line breaks.

use serde::{Deserialize, Serialize};

use crate::error::{Invalid, Problems};
use crate::text::{parse_name, parse_text};

/// A message template in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// Subject line.
    pub subject: String,
    /// Body.
    pub body: String,
}

const PLACEHOLDERS: [&str; 5] = ["name", "feedback", "resolution", "resurvey", "org"];

/// Values substituted into a template.
#[derive(Debug, Clone, Default)]
pub struct Values<'a> {
    /// Customer's name.
    pub name: &'a str,
    /// What they told us.
    pub feedback: &'a str,
    /// What we did.
    pub resolution: &'a str,
    /// Re-survey link, if one is sent.
    pub resurvey_link: Option<&'a str>,
    /// Organisation name.
    pub org: &'a str,
}

impl Template {
    /// Checks a template: both parts present, only known placeholders.
    pub fn parse(subject: &str, body: &str) -> Result<Self, Invalid> {
        let mut p = Problems::default();
        let subject = p.take(parse_name("subject", subject, 300));
        let body_ok = p.take(parse_text("body", body, 10_000));
        for (field, text) in [
            ("subject", subject.as_deref()),
            ("body", body_ok.as_deref()),
        ] {
            let Some(text) = text else { continue };
            let mut rest = text;
            while let Some(start) = rest.find("{{") {
                let after = &rest[start + 2..];
                let Some(end) = after.find("}}") else {
                    p.push(field, "a `{{` is not closed by `}}`");
                    break;
                };
                let key = after[..end].trim();
                if !PLACEHOLDERS.contains(&key) {
                    p.push(
                        field,
                        format!(
                            "unknown placeholder `{{{{{key}}}}}`: use {}",
                            PLACEHOLDERS.map(|k| format!("{{{{{k}}}}}")).join(", ")
                        ),
                    );
                }
                rest = &after[end + 2..];
            }
        }
        p.finish(())?;
        Ok(Self {
            subject: subject.unwrap_or_default(),
            body: body_ok.unwrap_or_default(),
        })
    }

    /// The message with values filled in; `lang` picks the words of the re-survey line.
    pub fn render(&self, lang: &str, v: &Values<'_>) -> (String, String) {
        let resurvey = v
            .resurvey_link
            .map(|link| format!("{} {link}", resurvey_line(lang)))
            .unwrap_or_default();
        let fill = |text: &str| {
            let mut out = String::with_capacity(text.len() + 256);
            let mut rest = text;
            while let Some(start) = rest.find("{{") {
                out.push_str(&rest[..start]);
                let after = &rest[start + 2..];
                let Some(end) = after.find("}}") else {
                    out.push_str(&rest[start..]);
                    return out;
                };
                out.push_str(match after[..end].trim() {
                    "name" => v.name,
                    "feedback" => v.feedback,
                    "resolution" => v.resolution,
                    "resurvey" => &resurvey,
                    "org" => v.org,
                    _ => "",
                });
                rest = &after[end + 2..];
            }
            out.push_str(rest);
            out
        };
        let subject: String = fill(&self.subject)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        (
            subject.trim().to_owned(),
            fill(&self.body).trim_end().to_owned() + "\n",
        )
    }
}

/// Languages with a built-in resolution template.
pub const BUILT_IN_LANGUAGES: [&str; 14] = [
    "en", "es", "fr", "de", "pt", "hi", "bn", "pa", "ur", "ar", "lo", "th", "ja", "zh",
];

fn resurvey_line(lang: &str) -> &'static str {
    match lang {
        "es" => "¿Lo hemos resuelto? Cuéntenos:",
        "fr" => "Avons-nous réglé le problème ? Dites-le-nous :",
        "de" => "Haben wir es gelöst? Sagen Sie es uns:",
        "pt" => "Resolvemos? Conte-nos:",
        "hi" => "क्या हमने समस्या हल की? हमें बताएँ:",
        "bn" => "আমরা কি সমস্যার সমাধান করেছি? আমাদের জানান:",
        "pa" => "ਕੀ ਅਸੀਂ ਮਸਲਾ ਹੱਲ ਕੀਤਾ? ਸਾਨੂੰ ਦੱਸੋ:",
        "ur" => "کیا ہم نے مسئلہ حل کیا؟ ہمیں بتائیں:",
        "ar" => "هل حللنا المشكلة؟ أخبرنا:",
        "lo" => "ພວກເຮົາແກ້ໄຂບັນຫາໄດ້ບໍ? ບອກພວກເຮົາ:",
        "th" => "เราแก้ปัญหาได้หรือไม่? บอกเรา:",
        "ja" => "問題は解決しましたか？ご意見をお聞かせください：",
        "zh" => "问题解决了吗？请告诉我们：",
        _ => "Did we fix it? Tell us:",
    }
}

/// The built-in resolution template for a language (primary subtag), English when there is
/// none.
pub fn default_resolution_template(lang: &str) -> Template {
    let (subject, body) = match lang {
        "es" => (
            "Hemos actuado sobre sus comentarios",
            "Hola {{name}}:\n\nNos dijo: «{{feedback}}»\n\nEsto es lo que hicimos: {{resolution}}\n\nGracias por decírnoslo.\n{{resurvey}}\n\n{{org}}",
        ),
        "fr" => (
            "Nous avons donné suite à votre avis",
            "Bonjour {{name}},\n\nVous nous avez dit : « {{feedback}} »\n\nVoici ce que nous avons fait : {{resolution}}\n\nMerci de nous l'avoir signalé.\n{{resurvey}}\n\n{{org}}",
        ),
        "de" => (
            "Wir haben auf Ihr Feedback reagiert",
            "Hallo {{name}},\n\nSie haben uns geschrieben: „{{feedback}}“\n\nDas haben wir getan: {{resolution}}\n\nDanke für Ihren Hinweis.\n{{resurvey}}\n\n{{org}}",
        ),
        "pt" => (
            "Agimos com base no seu comentário",
            "Olá {{name}},\n\nVocê nos disse: “{{feedback}}”\n\nEis o que fizemos: {{resolution}}\n\nObrigado por nos avisar.\n{{resurvey}}\n\n{{org}}",
        ),
        "hi" => (
            "हमने आपकी प्रतिक्रिया पर कार्रवाई की है",
            "नमस्ते {{name}},\n\nआपने हमें बताया: “{{feedback}}”\n\nहमने यह किया: {{resolution}}\n\nबताने के लिए धन्यवाद।\n{{resurvey}}\n\n{{org}}",
        ),
        "bn" => (
            "আপনার মতামতের ভিত্তিতে আমরা পদক্ষেপ নিয়েছি",
            "নমস্কার {{name}},\n\nআপনি আমাদের বলেছিলেন: “{{feedback}}”\n\nআমরা যা করেছি: {{resolution}}\n\nজানানোর জন্য ধন্যবাদ।\n{{resurvey}}\n\n{{org}}",
        ),
        "pa" => (
            "ਅਸੀਂ ਤੁਹਾਡੀ ਰਾਏ 'ਤੇ ਕਾਰਵਾਈ ਕੀਤੀ ਹੈ",
            "ਸਤ ਸ੍ਰੀ ਅਕਾਲ {{name}},\n\nਤੁਸੀਂ ਸਾਨੂੰ ਦੱਸਿਆ: “{{feedback}}”\n\nਅਸੀਂ ਇਹ ਕੀਤਾ: {{resolution}}\n\nਦੱਸਣ ਲਈ ਧੰਨਵਾਦ।\n{{resurvey}}\n\n{{org}}",
        ),
        "ur" => (
            "ہم نے آپ کی رائے پر عمل کیا ہے",
            "السلام علیکم {{name}}،\n\nآپ نے ہمیں بتایا: “{{feedback}}”\n\nہم نے یہ کیا: {{resolution}}\n\nبتانے کا شکریہ۔\n{{resurvey}}\n\n{{org}}",
        ),
        "ar" => (
            "لقد تصرّفنا بناءً على ملاحظاتك",
            "مرحباً {{name}}،\n\nأخبرتنا: «{{feedback}}»\n\nإليك ما فعلناه: {{resolution}}\n\nشكراً لإخبارنا.\n{{resurvey}}\n\n{{org}}",
        ),
        "lo" => (
            "ພວກເຮົາໄດ້ດຳເນີນການຕາມຄຳຕິຊົມຂອງທ່ານແລ້ວ",
            "ສະບາຍດີ {{name}},\n\nທ່ານໄດ້ບອກພວກເຮົາວ່າ: “{{feedback}}”\n\nສິ່ງທີ່ພວກເຮົາໄດ້ເຮັດ: {{resolution}}\n\nຂອບໃຈທີ່ບອກພວກເຮົາ.\n{{resurvey}}\n\n{{org}}",
        ),
        "th" => (
            "เราได้ดำเนินการตามความคิดเห็นของคุณแล้ว",
            "สวัสดี {{name}}\n\nคุณบอกเราว่า: “{{feedback}}”\n\nสิ่งที่เราทำ: {{resolution}}\n\nขอบคุณที่แจ้งให้เราทราบ\n{{resurvey}}\n\n{{org}}",
        ),
        "ja" => (
            "いただいたご意見への対応について",
            "{{name}} 様\n\nいただいたご意見：「{{feedback}}」\n\n私たちの対応：{{resolution}}\n\nお知らせいただきありがとうございました。\n{{resurvey}}\n\n{{org}}",
        ),
        "zh" => (
            "我们已根据您的反馈采取行动",
            "{{name}}，您好：\n\n您告诉我们：“{{feedback}}”\n\n我们的处理：{{resolution}}\n\n感谢您的反馈。\n{{resurvey}}\n\n{{org}}",
        ),
        _ => (
            "We acted on your feedback",
            "Hello {{name}},\n\nYou told us: \"{{feedback}}\"\n\nHere is what we did: {{resolution}}\n\nThank you for telling us.\n{{resurvey}}\n\n{{org}}",
        ),
    };
    Template {
        subject: subject.into(),
        body: body.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_template_is_valid_and_fills_in() {
        for lang in BUILT_IN_LANGUAGES {
            let t = default_resolution_template(lang);
            assert!(Template::parse(&t.subject, &t.body).is_ok(), "{lang}");
            let (subject, body) = t.render(
                lang,
                &Values {
                    name: "Ana",
                    feedback: "ਦੇਰੀ ਹੋਈ",
                    resolution: "Refund <b>issued</b>",
                    resurvey_link: Some("https://x.test/s/1"),
                    org: "Acme",
                },
            );
            assert!(!subject.is_empty());
            assert!(body.contains("ਦੇਰੀ ਹੋਈ") && body.contains("Refund <b>issued</b>"));
            assert!(body.contains("https://x.test/s/1") && body.contains("Acme"));
            assert!(!body.contains("{{"), "{lang}: {body}");
        }
        // Unknown languages fall back to English.
        assert_eq!(
            default_resolution_template("xx"),
            default_resolution_template("en")
        );
    }

    #[test]
    fn unknown_placeholders_are_refused_and_subjects_stay_on_one_line() {
        let err = Template::parse("Hi {{nam}}", "{{feedback").unwrap_err();
        assert_eq!(err.0.len(), 2);
        let t = Template::parse("Re: {{feedback}}", "{{resolution}}").unwrap();
        let (subject, _) = t.render(
            "en",
            &Values {
                feedback: "line1\r\nBcc: evil@example.com",
                ..Default::default()
            },
        );
        assert!(!subject.contains('\n') && !subject.contains('\r'));
        let (_, body) = t.render("en", &Values::default());
        assert_eq!(body, "\n");
    }
}
