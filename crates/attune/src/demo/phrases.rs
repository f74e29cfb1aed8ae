//! Demo comments, written for Attune's demo data set, in the languages feedback arrives in.

/// How the writer of a comment feels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Would recommend us.
    Positive,
    /// Lukewarm.
    Neutral,
    /// Unhappy.
    Negative,
}

/// One demo comment.
#[derive(Debug, Clone, Copy)]
pub struct Phrase {
    /// BCP 47 language tag.
    pub lang: &'static str,
    /// What it is about.
    pub topic: &'static str,
    /// How the writer feels.
    pub tone: Tone,
    /// The comment.
    pub text: &'static str,
}

/// Every demo comment.
#[rustfmt::skip]
pub const PHRASES: &[Phrase] = &[
    // ---------------------------------------------------------------- en
    Phrase { lang: "en", topic: "support", tone: Tone::Positive, text: "The support team answered within minutes and actually understood our problem." },
    Phrase { lang: "en", topic: "support", tone: Tone::Neutral, text: "Support is friendly enough, though replies can take a day or two." },
    Phrase { lang: "en", topic: "support", tone: Tone::Negative, text: "Every support request turns into a week of back-and-forth emails with no fix." },
    Phrase { lang: "en", topic: "price", tone: Tone::Positive, text: "Great value for the money; it replaced two other tools we were paying for." },
    Phrase { lang: "en", topic: "price", tone: Tone::Neutral, text: "The price is fair, but the jump to the next plan feels steep." },
    Phrase { lang: "en", topic: "price", tone: Tone::Negative, text: "The renewal price went up by forty percent, so we are cancelling our subscription." },
    Phrase { lang: "en", topic: "speed", tone: Tone::Positive, text: "Pages load instantly, even with thousands of responses in the dashboard." },
    Phrase { lang: "en", topic: "speed", tone: Tone::Neutral, text: "Mostly quick, but exporting a large survey takes far too long." },
    Phrase { lang: "en", topic: "speed", tone: Tone::Negative, text: "Reports take over a minute to load, which makes daily use painful." },
    Phrase { lang: "en", topic: "onboarding", tone: Tone::Positive, text: "Thanks to the guided tour, our first survey was live in ten minutes." },
    Phrase { lang: "en", topic: "onboarding", tone: Tone::Neutral, text: "Onboarding covered the basics, but we had to figure out the integrations alone." },
    Phrase { lang: "en", topic: "onboarding", tone: Tone::Negative, text: "Nobody explained how to import our contacts, and the setup guide is outdated." },
    Phrase { lang: "en", topic: "reliability", tone: Tone::Positive, text: "Not a single outage in a whole year. Rock solid." },
    Phrase { lang: "en", topic: "reliability", tone: Tone::Neutral, text: "It works well most days, although we saw two short outages last month." },
    Phrase { lang: "en", topic: "reliability", tone: Tone::Negative, text: "The service went down twice during our busiest week and we lost responses." },
    Phrase { lang: "en", topic: "features", tone: Tone::Positive, text: "Automatic tagging of comments saves our team hours every single week." },
    Phrase { lang: "en", topic: "features", tone: Tone::Neutral, text: "It has most of what we need, but we still miss custom roles and permissions." },
    Phrase { lang: "en", topic: "features", tone: Tone::Negative, text: "Basic things like scheduled reports are still missing after years of requests." },
    Phrase { lang: "en", topic: "support_ticket", tone: Tone::Positive, text: "My ticket about the broken export was resolved the same day. Thank you!" },
    Phrase { lang: "en", topic: "support_ticket", tone: Tone::Neutral, text: "The ticket got closed eventually, though I had to explain the issue twice." },
    Phrase { lang: "en", topic: "support_ticket", tone: Tone::Negative, text: "They closed my ticket without fixing anything and ignored my follow-up." },
    Phrase { lang: "en", topic: "effort", tone: Tone::Positive, text: "Effortless: one short message and my issue was handled." },
    Phrase { lang: "en", topic: "effort", tone: Tone::Neutral, text: "It took a few emails and some screenshots, but the issue got sorted." },
    Phrase { lang: "en", topic: "effort", tone: Tone::Negative, text: "I had to chase three different people before anyone took my problem seriously." },
    // ---------------------------------------------------------------- es
    Phrase { lang: "es", topic: "support", tone: Tone::Positive, text: "El equipo de soporte respondió en minutos y entendió enseguida lo que necesitábamos." },
    Phrase { lang: "es", topic: "support", tone: Tone::Neutral, text: "La atención es amable, aunque a veces tardan un par de días en contestar." },
    Phrase { lang: "es", topic: "support", tone: Tone::Negative, text: "Cada consulta al soporte se convierte en una semana de correos sin solución." },
    Phrase { lang: "es", topic: "price", tone: Tone::Positive, text: "Por lo que cuesta, ofrece muchísimo: sustituyó dos herramientas que pagábamos aparte." },
    Phrase { lang: "es", topic: "price", tone: Tone::Neutral, text: "El precio es razonable, pero el salto al plan superior es demasiado grande." },
    Phrase { lang: "es", topic: "price", tone: Tone::Negative, text: "Nos subieron la tarifa sin avisar, así que vamos a cancelar la suscripción." },
    Phrase { lang: "es", topic: "speed", tone: Tone::Positive, text: "Todo carga al instante, incluso con miles de respuestas en el panel." },
    Phrase { lang: "es", topic: "speed", tone: Tone::Neutral, text: "Suele ir rápido, pero exportar encuestas grandes tarda una eternidad." },
    Phrase { lang: "es", topic: "speed", tone: Tone::Negative, text: "Los informes tardan más de un minuto en abrirse y así es imposible trabajar." },
    Phrase { lang: "es", topic: "onboarding", tone: Tone::Positive, text: "Gracias a la guía inicial, creamos nuestra primera encuesta en diez minutos." },
    Phrase { lang: "es", topic: "onboarding", tone: Tone::Neutral, text: "La puesta en marcha cubre lo básico, pero las integraciones las resolvimos solos." },
    Phrase { lang: "es", topic: "onboarding", tone: Tone::Negative, text: "Nadie nos explicó cómo importar los contactos y la documentación está desactualizada." },
    Phrase { lang: "es", topic: "reliability", tone: Tone::Positive, text: "En todo el año no hemos tenido ni una caída. Muy fiable." },
    Phrase { lang: "es", topic: "reliability", tone: Tone::Neutral, text: "Funciona bien casi siempre, aunque el mes pasado hubo un par de cortes breves." },
    Phrase { lang: "es", topic: "reliability", tone: Tone::Negative, text: "La plataforma se cayó dos veces en plena campaña y perdimos respuestas." },
    Phrase { lang: "es", topic: "features", tone: Tone::Positive, text: "El etiquetado automático de comentarios nos ahorra horas de trabajo cada semana." },
    Phrase { lang: "es", topic: "features", tone: Tone::Neutral, text: "Tiene casi todo lo que necesitamos, aunque echamos de menos los permisos por rol." },
    Phrase { lang: "es", topic: "features", tone: Tone::Negative, text: "Siguen sin ofrecer informes programados, algo que pedimos desde hace años." },
    Phrase { lang: "es", topic: "support_ticket", tone: Tone::Positive, text: "Resolvieron mi incidencia con la exportación el mismo día. ¡Muchas gracias!" },
    Phrase { lang: "es", topic: "support_ticket", tone: Tone::Neutral, text: "Al final cerraron mi ticket, pero tuve que explicar el problema dos veces." },
    Phrase { lang: "es", topic: "support_ticket", tone: Tone::Negative, text: "Cerraron mi ticket sin arreglar nada y nunca contestaron a mi último mensaje." },
    Phrase { lang: "es", topic: "effort", tone: Tone::Positive, text: "Fue facilísimo: un solo mensaje y el problema quedó resuelto." },
    Phrase { lang: "es", topic: "effort", tone: Tone::Neutral, text: "Hicieron falta varios correos y algunas capturas, pero al final se solucionó." },
    Phrase { lang: "es", topic: "effort", tone: Tone::Negative, text: "Tuve que perseguir a tres personas distintas hasta que alguien se hizo cargo." },
    // ---------------------------------------------------------------- pa
    Phrase { lang: "pa", topic: "support", tone: Tone::Positive, text: "ਸਹਾਇਤਾ ਟੀਮ ਨੇ ਕੁਝ ਮਿੰਟਾਂ ਵਿੱਚ ਜਵਾਬ ਦਿੱਤਾ ਅਤੇ ਸਾਡੀ ਗੱਲ ਚੰਗੀ ਤਰ੍ਹਾਂ ਸਮਝੀ।" },
    Phrase { lang: "pa", topic: "support", tone: Tone::Neutral, text: "ਸਹਾਇਤਾ ਵਾਲੇ ਨਿਮਰ ਹਨ, ਪਰ ਜਵਾਬ ਆਉਣ ਵਿੱਚ ਕਦੇ-ਕਦੇ ਦੋ ਦਿਨ ਲੱਗ ਜਾਂਦੇ ਹਨ।" },
    Phrase { lang: "pa", topic: "support", tone: Tone::Negative, text: "ਹਰ ਸ਼ਿਕਾਇਤ ਲਈ ਹਫ਼ਤਾ ਭਰ ਈਮੇਲਾਂ ਚੱਲਦੀਆਂ ਹਨ, ਪਰ ਮਸਲਾ ਹੱਲ ਨਹੀਂ ਹੁੰਦਾ।" },
    Phrase { lang: "pa", topic: "price", tone: Tone::Positive, text: "ਇਸ ਕੀਮਤ ਵਿੱਚ ਬਹੁਤ ਕੁਝ ਮਿਲਦਾ ਹੈ, ਸਾਡੇ ਦੋ ਹੋਰ ਟੂਲਾਂ ਦਾ ਖਰਚਾ ਬਚ ਗਿਆ।" },
    Phrase { lang: "pa", topic: "price", tone: Tone::Neutral, text: "ਕੀਮਤ ਠੀਕ-ਠਾਕ ਹੈ, ਪਰ ਅਗਲਾ ਪਲਾਨ ਬਹੁਤ ਮਹਿੰਗਾ ਪੈਂਦਾ ਹੈ।" },
    Phrase { lang: "pa", topic: "price", tone: Tone::Negative, text: "ਬਿਨਾਂ ਦੱਸੇ ਫੀਸ ਵਧਾ ਦਿੱਤੀ ਗਈ, ਇਹ ਗੱਲ ਬਿਲਕੁਲ ਚੰਗੀ ਨਹੀਂ ਲੱਗੀ।" },
    Phrase { lang: "pa", topic: "speed", tone: Tone::Positive, text: "ਹਜ਼ਾਰਾਂ ਜਵਾਬਾਂ ਦੇ ਬਾਵਜੂਦ ਡੈਸ਼ਬੋਰਡ ਝੱਟ ਖੁੱਲ੍ਹ ਜਾਂਦਾ ਹੈ।" },
    Phrase { lang: "pa", topic: "speed", tone: Tone::Neutral, text: "ਆਮ ਕਰਕੇ ਤੇਜ਼ ਚੱਲਦਾ ਹੈ, ਪਰ ਵੱਡੇ ਸਰਵੇਖਣ ਐਕਸਪੋਰਟ ਕਰਨ ਵਿੱਚ ਬਹੁਤ ਸਮਾਂ ਲੱਗਦਾ ਹੈ।" },
    Phrase { lang: "pa", topic: "speed", tone: Tone::Negative, text: "ਰਿਪੋਰਟਾਂ ਖੁੱਲ੍ਹਣ ਵਿੱਚ ਇੱਕ ਮਿੰਟ ਤੋਂ ਵੱਧ ਲੱਗਦਾ ਹੈ, ਰੋਜ਼ ਕੰਮ ਕਰਨਾ ਔਖਾ ਹੋ ਗਿਆ ਹੈ।" },
    Phrase { lang: "pa", topic: "onboarding", tone: Tone::Positive, text: "ਗਾਈਡ ਇੰਨੀ ਸਾਫ਼ ਸੀ ਕਿ ਪਹਿਲਾ ਸਰਵੇਖਣ ਦਸ ਮਿੰਟਾਂ ਵਿੱਚ ਤਿਆਰ ਹੋ ਗਿਆ।" },
    Phrase { lang: "pa", topic: "onboarding", tone: Tone::Neutral, text: "ਸ਼ੁਰੂਆਤੀ ਸੈੱਟਅੱਪ ਵਿੱਚ ਮੁੱਢਲੀਆਂ ਗੱਲਾਂ ਦੱਸੀਆਂ ਗਈਆਂ, ਪਰ ਇੰਟੀਗ੍ਰੇਸ਼ਨ ਆਪ ਹੀ ਸਿੱਖਣੇ ਪਏ।" },
    Phrase { lang: "pa", topic: "onboarding", tone: Tone::Negative, text: "ਕਿਸੇ ਨੇ ਨਹੀਂ ਦੱਸਿਆ ਕਿ ਸੰਪਰਕ ਕਿਵੇਂ ਇੰਪੋਰਟ ਕਰਨੇ ਹਨ, ਅਤੇ ਸੈੱਟਅੱਪ ਗਾਈਡ ਵੀ ਪੁਰਾਣੀ ਹੈ।" },
    Phrase { lang: "pa", topic: "reliability", tone: Tone::Positive, text: "ਪੂਰੇ ਸਾਲ ਵਿੱਚ ਇੱਕ ਵਾਰ ਵੀ ਸਿਸਟਮ ਬੰਦ ਨਹੀਂ ਹੋਇਆ, ਬਹੁਤ ਭਰੋਸੇਮੰਦ ਹੈ।" },
    Phrase { lang: "pa", topic: "reliability", tone: Tone::Neutral, text: "ਜ਼ਿਆਦਾਤਰ ਠੀਕ ਚੱਲਦਾ ਹੈ, ਪਰ ਪਿਛਲੇ ਮਹੀਨੇ ਦੋ ਵਾਰ ਥੋੜ੍ਹੀ ਦੇਰ ਲਈ ਬੰਦ ਰਿਹਾ।" },
    Phrase { lang: "pa", topic: "reliability", tone: Tone::Negative, text: "ਸਾਡੇ ਸਭ ਤੋਂ ਰੁਝੇਵੇਂ ਵਾਲੇ ਹਫ਼ਤੇ ਸਰਵਿਸ ਦੋ ਵਾਰ ਠੱਪ ਹੋਈ ਅਤੇ ਕਈ ਜਵਾਬ ਗੁੰਮ ਹੋ ਗਏ।" },
    Phrase { lang: "pa", topic: "features", tone: Tone::Positive, text: "ਟਿੱਪਣੀਆਂ ਦੀ ਆਟੋਮੈਟਿਕ ਟੈਗਿੰਗ ਨਾਲ ਸਾਡੀ ਟੀਮ ਦੇ ਹਰ ਹਫ਼ਤੇ ਕਈ ਘੰਟੇ ਬਚਦੇ ਹਨ।" },
    Phrase { lang: "pa", topic: "features", tone: Tone::Neutral, text: "ਲੋੜ ਦੀਆਂ ਜ਼ਿਆਦਾਤਰ ਚੀਜ਼ਾਂ ਹਨ, ਪਰ ਯੂਜ਼ਰ ਰੋਲ ਅਤੇ ਪਰਮਿਸ਼ਨਾਂ ਦੀ ਘਾਟ ਰੜਕਦੀ ਹੈ।" },
    Phrase { lang: "pa", topic: "features", tone: Tone::Negative, text: "ਸਾਲਾਂ ਤੋਂ ਮੰਗ ਰਹੇ ਹਾਂ, ਪਰ ਸ਼ਡਿਊਲ ਕੀਤੀਆਂ ਰਿਪੋਰਟਾਂ ਵਰਗੀ ਮਾਮੂਲੀ ਸਹੂਲਤ ਅਜੇ ਤੱਕ ਨਹੀਂ ਆਈ।" },
    Phrase { lang: "pa", topic: "support_ticket", tone: Tone::Positive, text: "ਐਕਸਪੋਰਟ ਵਾਲੀ ਮੇਰੀ ਟਿਕਟ ਉਸੇ ਦਿਨ ਹੱਲ ਹੋ ਗਈ, ਬਹੁਤ ਧੰਨਵਾਦ!" },
    Phrase { lang: "pa", topic: "support_ticket", tone: Tone::Neutral, text: "ਟਿਕਟ ਆਖ਼ਰਕਾਰ ਬੰਦ ਹੋ ਗਈ, ਪਰ ਮੈਨੂੰ ਮਸਲਾ ਦੋ ਵਾਰ ਸਮਝਾਉਣਾ ਪਿਆ।" },
    Phrase { lang: "pa", topic: "support_ticket", tone: Tone::Negative, text: "ਕੁਝ ਵੀ ਠੀਕ ਕੀਤੇ ਬਿਨਾਂ ਮੇਰੀ ਟਿਕਟ ਬੰਦ ਕਰ ਦਿੱਤੀ ਗਈ ਅਤੇ ਅਗਲੇ ਸੁਨੇਹੇ ਦਾ ਕੋਈ ਜਵਾਬ ਨਹੀਂ ਆਇਆ।" },
    Phrase { lang: "pa", topic: "effort", tone: Tone::Positive, text: "ਬਸ ਇੱਕ ਸੁਨੇਹਾ ਭੇਜਿਆ ਅਤੇ ਮਸਲਾ ਹੱਲ ਹੋ ਗਿਆ, ਬਹੁਤ ਸੌਖਾ ਸੀ।" },
    Phrase { lang: "pa", topic: "effort", tone: Tone::Neutral, text: "ਕੁਝ ਈਮੇਲਾਂ ਅਤੇ ਸਕ੍ਰੀਨਸ਼ਾਟ ਭੇਜਣੇ ਪਏ, ਪਰ ਅੰਤ ਵਿੱਚ ਕੰਮ ਹੋ ਗਿਆ।" },
    Phrase { lang: "pa", topic: "effort", tone: Tone::Negative, text: "ਤਿੰਨ ਵੱਖ-ਵੱਖ ਲੋਕਾਂ ਦੇ ਪਿੱਛੇ ਭੱਜਣਾ ਪਿਆ, ਤਾਂ ਜਾ ਕੇ ਕਿਸੇ ਨੇ ਮੇਰੀ ਗੱਲ ਸੁਣੀ।" },
    // ---------------------------------------------------------------- lo
    Phrase { lang: "lo", topic: "support", tone: Tone::Positive, text: "ທີມງານຊ່ວຍເຫຼືອຕອບກັບພາຍໃນບໍ່ເທົ່າໃດນາທີແລະເຂົ້າໃຈບັນຫາຂອງພວກເຮົາທັນທີ" },
    Phrase { lang: "lo", topic: "support", tone: Tone::Neutral, text: "ພະນັກງານສຸພາບດີແຕ່ບາງຄັ້ງຕ້ອງລໍຖ້າຄຳຕອບໜຶ່ງຫາສອງມື້" },
    Phrase { lang: "lo", topic: "support", tone: Tone::Negative, text: "ແຈ້ງບັນຫາເທື່ອໃດກໍຕ້ອງສົ່ງອີເມວໄປມາເປັນອາທິດແຕ່ກໍຍັງແກ້ບໍ່ໄດ້" },
    Phrase { lang: "lo", topic: "price", tone: Tone::Positive, text: "ຄຸ້ມຄ່າກັບລາຄາຫຼາຍເພາະພວກເຮົາເຊົາຈ່າຍຄ່າເຄື່ອງມືອື່ນໄດ້ອີກສອງຢ່າງ" },
    Phrase { lang: "lo", topic: "price", tone: Tone::Neutral, text: "ລາຄາພໍຮັບໄດ້ແຕ່ແພັກເກັດຂັ້ນຕໍ່ໄປແພງຂຶ້ນຫຼາຍເກີນໄປ" },
    Phrase { lang: "lo", topic: "price", tone: Tone::Negative, text: "ຂຶ້ນລາຄາໂດຍບໍ່ແຈ້ງລ່ວງໜ້າແບບນີ້ບໍ່ຍຸຕິທຳກັບລູກຄ້າເລີຍ" },
    Phrase { lang: "lo", topic: "speed", tone: Tone::Positive, text: "ເຖິງວ່າຈະມີຄຳຕອບຫຼາຍພັນລາຍການແຕ່ໜ້າສະຫຼຸບຂໍ້ມູນກໍເປີດໄວທັນໃຈ" },
    Phrase { lang: "lo", topic: "speed", tone: Tone::Neutral, text: "ໂດຍລວມກໍໄວດີແຕ່ການສົ່ງອອກແບບສອບຖາມຂະໜາດໃຫຍ່ໃຊ້ເວລາດົນຫຼາຍ" },
    Phrase { lang: "lo", topic: "speed", tone: Tone::Negative, text: "ເປີດລາຍງານແຕ່ລະເທື່ອຕ້ອງລໍຖ້າເກີນໜຶ່ງນາທີໃຊ້ທຸກມື້ແລ້ວຫງຸດຫງິດຫຼາຍ" },
    Phrase { lang: "lo", topic: "onboarding", tone: Tone::Positive, text: "ຄູ່ມືເລີ່ມຕົ້ນເຂົ້າໃຈງ່າຍຫຼາຍສ້າງແບບສອບຖາມທຳອິດສຳເລັດພາຍໃນສິບນາທີ" },
    Phrase { lang: "lo", topic: "onboarding", tone: Tone::Neutral, text: "ຕອນເລີ່ມໃຊ້ມີການສອນພື້ນຖານໃຫ້ແຕ່ເລື່ອງການເຊື່ອມຕໍ່ກັບລະບົບອື່ນຕ້ອງຊອກຮູ້ເອົາເອງ" },
    Phrase { lang: "lo", topic: "onboarding", tone: Tone::Negative, text: "ບໍ່ມີໃຜອະທິບາຍວິທີນຳເຂົ້າລາຍຊື່ຜູ້ຕິດຕໍ່ແລະຄູ່ມືການຕັ້ງຄ່າກໍເກົ່າແລ້ວ" },
    Phrase { lang: "lo", topic: "reliability", tone: Tone::Positive, text: "ໃຊ້ມາໝົດປີລະບົບບໍ່ເຄີຍຂັດຂ້ອງຈັກເທື່ອໄວ້ໃຈໄດ້ແທ້ໆ" },
    Phrase { lang: "lo", topic: "reliability", tone: Tone::Neutral, text: "ສ່ວນຫຼາຍໃຊ້ງານໄດ້ປົກກະຕິແຕ່ເດືອນຜ່ານມາລະບົບຂັດຂ້ອງໄປສອງເທື່ອ" },
    Phrase { lang: "lo", topic: "reliability", tone: Tone::Negative, text: "ລະບົບໃຊ້ບໍ່ໄດ້ສອງເທື່ອໃນອາທິດທີ່ວຽກຫຼາຍທີ່ສຸດຂອງພວກເຮົາແລະຄຳຕອບກໍເສຍໄປຫຼາຍ" },
    Phrase { lang: "lo", topic: "features", tone: Tone::Positive, text: "ການຕິດແທັກຄຳເຫັນແບບອັດຕະໂນມັດຊ່ວຍໃຫ້ທີມເຮົາປະຢັດເວລາໄດ້ຫຼາຍຊົ່ວໂມງຕໍ່ອາທິດ" },
    Phrase { lang: "lo", topic: "features", tone: Tone::Neutral, text: "ຄຸນສົມບັດທີ່ຈຳເປັນມີເກືອບຄົບແລ້ວແຕ່ຍັງຂາດການກຳນົດສິດຜູ້ໃຊ້" },
    Phrase { lang: "lo", topic: "features", tone: Tone::Negative, text: "ຂໍໃຫ້ເພີ່ມການສົ່ງລາຍງານຕາມກຳນົດເວລາມາຫຼາຍປີແລ້ວແຕ່ກໍຍັງບໍ່ມີ" },
    Phrase { lang: "lo", topic: "support_ticket", tone: Tone::Positive, text: "ບັນຫາການສົ່ງອອກຂໍ້ມູນທີ່ແຈ້ງໄວ້ໄດ້ຮັບການແກ້ໄຂພາຍໃນມື້ດຽວຂອບໃຈຫຼາຍໆ" },
    Phrase { lang: "lo", topic: "support_ticket", tone: Tone::Neutral, text: "ສຸດທ້າຍຄຳຮ້ອງຂອງຂ້ອຍກໍຖືກປິດແຕ່ຕ້ອງອະທິບາຍບັນຫາດຽວກັນຊ້ຳສອງເທື່ອ" },
    Phrase { lang: "lo", topic: "support_ticket", tone: Tone::Negative, text: "ປິດຄຳຮ້ອງຂອງຂ້ອຍທັງທີ່ຍັງບໍ່ໄດ້ແກ້ຫຍັງເລີຍແລະບໍ່ຕອບຂໍ້ຄວາມທີ່ສົ່ງໄປຕໍ່" },
    Phrase { lang: "lo", topic: "effort", tone: Tone::Positive, text: "ສົ່ງຂໍ້ຄວາມໄປພຽງເທື່ອດຽວກໍແກ້ບັນຫາໃຫ້ຮຽບຮ້ອຍສະດວກຫຼາຍ" },
    Phrase { lang: "lo", topic: "effort", tone: Tone::Neutral, text: "ຕ້ອງສົ່ງອີເມວແລະຮູບໜ້າຈໍຫຼາຍເທື່ອແຕ່ສຸດທ້າຍກໍແກ້ໄດ້" },
    Phrase { lang: "lo", topic: "effort", tone: Tone::Negative, text: "ຖືກໂອນໄປໂອນມາເຖິງສາມຄົນກວ່າຈະມີຄົນຮັບເລື່ອງແທ້ໆ" },
    // ---------------------------------------------------------------- ur
    Phrase { lang: "ur", topic: "support", tone: Tone::Positive, text: "سپورٹ ٹیم نے چند منٹوں میں جواب دیا اور ہمارا مسئلہ فوراً سمجھ لیا۔" },
    Phrase { lang: "ur", topic: "support", tone: Tone::Neutral, text: "عملہ خوش اخلاق ہے، مگر جواب آنے میں اکثر ایک دو دن لگ جاتے ہیں۔" },
    Phrase { lang: "ur", topic: "support", tone: Tone::Negative, text: "ہر شکایت پر ہفتہ بھر ای میلز چلتی رہتی ہیں اور مسئلہ پھر بھی حل نہیں ہوتا۔" },
    Phrase { lang: "ur", topic: "price", tone: Tone::Positive, text: "اس قیمت میں بہت کچھ ملتا ہے، ہم نے دو دوسرے ٹولز بند کر دیے۔" },
    Phrase { lang: "ur", topic: "price", tone: Tone::Neutral, text: "قیمت مناسب ہے، لیکن اگلے پلان پر جانا کافی مہنگا پڑتا ہے۔" },
    Phrase { lang: "ur", topic: "price", tone: Tone::Negative, text: "بغیر اطلاع کے فیس بڑھا دی گئی، یہ بالکل اچھا نہیں لگا۔" },
    Phrase { lang: "ur", topic: "speed", tone: Tone::Positive, text: "ہزاروں جوابات کے باوجود ڈیش بورڈ پلک جھپکتے ہی کھل جاتا ہے۔" },
    Phrase { lang: "ur", topic: "speed", tone: Tone::Neutral, text: "زیادہ تر تیز چلتا ہے، مگر بڑے سروے ایکسپورٹ کرنے میں بہت دیر لگتی ہے۔" },
    Phrase { lang: "ur", topic: "speed", tone: Tone::Negative, text: "رپورٹ کھلنے میں ایک منٹ سے زیادہ لگتا ہے، روزانہ استعمال کرنا عذاب بن گیا ہے۔" },
    Phrase { lang: "ur", topic: "onboarding", tone: Tone::Positive, text: "رہنمائی اتنی واضح تھی کہ پہلا سروے دس منٹ میں تیار ہو گیا۔" },
    Phrase { lang: "ur", topic: "onboarding", tone: Tone::Neutral, text: "ابتدائی سیٹ اپ میں بنیادی باتیں تو بتائی گئیں، لیکن انٹیگریشنز ہمیں خود سیکھنی پڑیں۔" },
    Phrase { lang: "ur", topic: "onboarding", tone: Tone::Negative, text: "کسی نے نہیں بتایا کہ کانٹیکٹس کیسے امپورٹ کریں، اور سیٹ اپ گائیڈ بھی پرانی ہے۔" },
    Phrase { lang: "ur", topic: "reliability", tone: Tone::Positive, text: "پورے سال میں ایک بار بھی سسٹم بند نہیں ہوا، انتہائی قابل اعتماد ہے۔" },
    Phrase { lang: "ur", topic: "reliability", tone: Tone::Neutral, text: "عموماً ٹھیک چلتا ہے، البتہ پچھلے مہینے دو بار تھوڑی دیر کے لیے بند رہا۔" },
    Phrase { lang: "ur", topic: "reliability", tone: Tone::Negative, text: "ہمارے مصروف ترین ہفتے میں سروس دو بار بیٹھ گئی اور کئی جوابات ضائع ہو گئے۔" },
    Phrase { lang: "ur", topic: "features", tone: Tone::Positive, text: "تبصروں کی خودکار ٹیگنگ سے ہماری ٹیم کے ہر ہفتے کئی گھنٹے بچتے ہیں۔" },
    Phrase { lang: "ur", topic: "features", tone: Tone::Neutral, text: "ضرورت کی زیادہ تر چیزیں موجود ہیں، بس صارفین کے کرداروں اور اجازتوں کی کمی محسوس ہوتی ہے۔" },
    Phrase { lang: "ur", topic: "features", tone: Tone::Negative, text: "برسوں سے مانگ رہے ہیں، پھر بھی شیڈول رپورٹس جیسی بنیادی سہولت نہیں آئی۔" },
    Phrase { lang: "ur", topic: "support_ticket", tone: Tone::Positive, text: "ایکسپورٹ والے مسئلے پر میرا ٹکٹ اسی دن حل ہو گیا، بہت شکریہ!" },
    Phrase { lang: "ur", topic: "support_ticket", tone: Tone::Neutral, text: "ٹکٹ آخرکار بند ہو گیا، لیکن مجھے مسئلہ دو بار سمجھانا پڑا۔" },
    Phrase { lang: "ur", topic: "support_ticket", tone: Tone::Negative, text: "کچھ ٹھیک کیے بغیر میرا ٹکٹ بند کر دیا گیا اور میرے اگلے پیغام کا کوئی جواب نہیں آیا۔" },
    Phrase { lang: "ur", topic: "effort", tone: Tone::Positive, text: "صرف ایک پیغام بھیجا اور کام ہو گیا، بہت آسان تھا۔" },
    Phrase { lang: "ur", topic: "effort", tone: Tone::Neutral, text: "چند ای میلز اور اسکرین شاٹس بھیجنے پڑے، مگر آخر میں معاملہ حل ہو گیا۔" },
    Phrase { lang: "ur", topic: "effort", tone: Tone::Negative, text: "تین مختلف لوگوں کے پیچھے بھاگنا پڑا، تب جا کر کسی نے میری بات سنی۔" },
    // ---------------------------------------------------------------- bn
    Phrase { lang: "bn", topic: "support", tone: Tone::Positive, text: "সাপোর্ট টিম কয়েক মিনিটের মধ্যেই উত্তর দিয়েছে এবং আমাদের সমস্যাটা ঠিকঠাক বুঝেছে।" },
    Phrase { lang: "bn", topic: "support", tone: Tone::Neutral, text: "কর্মীরা ভদ্র, তবে উত্তর পেতে প্রায়ই এক-দুই দিন লেগে যায়।" },
    Phrase { lang: "bn", topic: "support", tone: Tone::Negative, text: "প্রতিটি অভিযোগে সপ্তাহজুড়ে ইমেল চালাচালি হয়, কিন্তু সমাধান আর হয় না।" },
    Phrase { lang: "bn", topic: "price", tone: Tone::Positive, text: "এই দামে অনেক কিছু পাওয়া যায়, আমরা অন্য দুটি টুলের খরচ বাঁচিয়েছি।" },
    Phrase { lang: "bn", topic: "price", tone: Tone::Neutral, text: "দাম মোটামুটি ঠিক আছে, কিন্তু পরের প্ল্যানে যাওয়া বেশ ব্যয়বহুল।" },
    Phrase { lang: "bn", topic: "price", tone: Tone::Negative, text: "কোনো নোটিশ ছাড়াই ফি বাড়ানো হয়েছে, ব্যাপারটা একদম ভালো লাগেনি।" },
    Phrase { lang: "bn", topic: "speed", tone: Tone::Positive, text: "হাজার হাজার উত্তর থাকা সত্ত্বেও ড্যাশবোর্ড চোখের পলকে খুলে যায়।" },
    Phrase { lang: "bn", topic: "speed", tone: Tone::Neutral, text: "সাধারণত দ্রুতই চলে, তবে বড় সার্ভে এক্সপোর্ট করতে অনেক সময় লাগে।" },
    Phrase { lang: "bn", topic: "speed", tone: Tone::Negative, text: "রিপোর্ট খুলতে এক মিনিটেরও বেশি লাগে, প্রতিদিন ব্যবহার করা যন্ত্রণা হয়ে দাঁড়িয়েছে।" },
    Phrase { lang: "bn", topic: "onboarding", tone: Tone::Positive, text: "গাইডটা এত পরিষ্কার ছিল যে প্রথম সার্ভে দশ মিনিটেই তৈরি হয়ে গেল।" },
    Phrase { lang: "bn", topic: "onboarding", tone: Tone::Neutral, text: "শুরুর সেটআপে মৌলিক বিষয়গুলো দেখানো হয়েছে, কিন্তু ইন্টিগ্রেশন নিজেদেরই শিখতে হয়েছে।" },
    Phrase { lang: "bn", topic: "onboarding", tone: Tone::Negative, text: "কন্টাক্ট কীভাবে ইমপোর্ট করতে হয় কেউ বলেনি, আর সেটআপ গাইডটাও পুরোনো।" },
    Phrase { lang: "bn", topic: "reliability", tone: Tone::Positive, text: "পুরো এক বছরে একবারও সিস্টেম বন্ধ হয়নি, খুবই নির্ভরযোগ্য।" },
    Phrase { lang: "bn", topic: "reliability", tone: Tone::Neutral, text: "বেশিরভাগ সময় ঠিকঠাক চলে, যদিও গত মাসে দুবার কিছুক্ষণের জন্য বন্ধ ছিল।" },
    Phrase { lang: "bn", topic: "reliability", tone: Tone::Negative, text: "আমাদের সবচেয়ে ব্যস্ত সপ্তাহে সার্ভিস দুবার ডাউন হয়ে গেল, অনেক উত্তর হারিয়ে গেছে।" },
    Phrase { lang: "bn", topic: "features", tone: Tone::Positive, text: "মন্তব্যের স্বয়ংক্রিয় ট্যাগিং আমাদের দলের প্রতি সপ্তাহে কয়েক ঘণ্টা বাঁচিয়ে দেয়।" },
    Phrase { lang: "bn", topic: "features", tone: Tone::Neutral, text: "দরকারি প্রায় সবকিছুই আছে, শুধু ইউজার রোল আর পারমিশনের অভাবটা টের পাই।" },
    Phrase { lang: "bn", topic: "features", tone: Tone::Negative, text: "বছরের পর বছর চেয়েও নির্ধারিত রিপোর্টের মতো সাধারণ সুবিধাটা এখনও পেলাম না।" },
    Phrase { lang: "bn", topic: "support_ticket", tone: Tone::Positive, text: "এক্সপোর্টের সমস্যা নিয়ে আমার টিকিট সেদিনই সমাধান হয়ে গেছে, অনেক ধন্যবাদ!" },
    Phrase { lang: "bn", topic: "support_ticket", tone: Tone::Neutral, text: "শেষ পর্যন্ত টিকিট বন্ধ হয়েছে, তবে সমস্যাটা আমাকে দুবার বোঝাতে হয়েছে।" },
    Phrase { lang: "bn", topic: "support_ticket", tone: Tone::Negative, text: "কিছু ঠিক না করেই আমার টিকিট বন্ধ করে দেওয়া হয়েছে, পরের বার্তার কোনো উত্তরও আসেনি।" },
    Phrase { lang: "bn", topic: "effort", tone: Tone::Positive, text: "শুধু একটা বার্তা পাঠালাম আর কাজ হয়ে গেল, একদম সহজ।" },
    Phrase { lang: "bn", topic: "effort", tone: Tone::Neutral, text: "কয়েকটা ইমেল আর স্ক্রিনশট পাঠাতে হয়েছে, তবে শেষে সমস্যা মিটেছে।" },
    Phrase { lang: "bn", topic: "effort", tone: Tone::Negative, text: "তিনজন আলাদা মানুষের পেছনে ছুটতে হয়েছে, তারপর কেউ আমার কথা শুনেছে।" },
    // ---------------------------------------------------------------- hi
    Phrase { lang: "hi", topic: "support", tone: Tone::Positive, text: "सपोर्ट टीम ने कुछ ही मिनटों में जवाब दिया और हमारी समस्या तुरंत समझ ली।" },
    Phrase { lang: "hi", topic: "support", tone: Tone::Neutral, text: "स्टाफ़ का व्यवहार अच्छा है, पर जवाब मिलने में अक्सर एक-दो दिन लग जाते हैं।" },
    Phrase { lang: "hi", topic: "support", tone: Tone::Negative, text: "हर शिकायत पर हफ़्ते भर ईमेल चलते रहते हैं और हल फिर भी नहीं निकलता।" },
    Phrase { lang: "hi", topic: "price", tone: Tone::Positive, text: "इतने दाम में इतना कुछ मिलना बढ़िया है, हमने दो दूसरे टूल हटा दिए।" },
    Phrase { lang: "hi", topic: "price", tone: Tone::Neutral, text: "कीमत ठीक है, मगर अगले प्लान पर जाना काफ़ी महँगा पड़ता है।" },
    Phrase { lang: "hi", topic: "price", tone: Tone::Negative, text: "रिन्यूअल पर दाम चालीस प्रतिशत बढ़ा दिया गया, इसलिए हम अपनी सदस्यता रद्द कर रहे हैं।" },
    Phrase { lang: "hi", topic: "speed", tone: Tone::Positive, text: "हज़ारों जवाब होने के बावजूद डैशबोर्ड पलक झपकते ही खुल जाता है।" },
    Phrase { lang: "hi", topic: "speed", tone: Tone::Neutral, text: "ज़्यादातर तेज़ चलता है, पर बड़े सर्वे एक्सपोर्ट करने में बहुत देर लगती है।" },
    Phrase { lang: "hi", topic: "speed", tone: Tone::Negative, text: "रिपोर्ट खुलने में एक मिनट से ज़्यादा लगता है, रोज़ इस्तेमाल करना सिरदर्द बन गया है।" },
    Phrase { lang: "hi", topic: "onboarding", tone: Tone::Positive, text: "गाइडेड टूर की मदद से हमारा पहला सर्वे दस मिनट में तैयार हो गया।" },
    Phrase { lang: "hi", topic: "onboarding", tone: Tone::Neutral, text: "शुरुआती सेटअप में बुनियादी चीज़ें तो बताई गईं, पर इंटीग्रेशन हमें खुद समझने पड़े।" },
    Phrase { lang: "hi", topic: "onboarding", tone: Tone::Negative, text: "कॉन्टैक्ट्स इम्पोर्ट करने का तरीका किसी ने नहीं बताया और सेटअप के निर्देश भी पुराने हैं।" },
    Phrase { lang: "hi", topic: "reliability", tone: Tone::Positive, text: "पूरे साल में एक बार भी सिस्टम डाउन नहीं हुआ, बेहद भरोसेमंद।" },
    Phrase { lang: "hi", topic: "reliability", tone: Tone::Neutral, text: "ज़्यादातर दिन ठीक चलता है, हालाँकि पिछले महीने दो बार थोड़ी देर के लिए बंद रहा।" },
    Phrase { lang: "hi", topic: "reliability", tone: Tone::Negative, text: "सबसे व्यस्त हफ़्ते में सर्विस दो बार ठप हो गई और हमारे कई जवाब गायब हो गए।" },
    Phrase { lang: "hi", topic: "features", tone: Tone::Positive, text: "कमेंट्स की ऑटोमैटिक टैगिंग से हमारी टीम के हर हफ़्ते कई घंटे बचते हैं।" },
    Phrase { lang: "hi", topic: "features", tone: Tone::Neutral, text: "ज़रूरत की ज़्यादातर चीज़ें मौजूद हैं, बस यूज़र रोल और परमिशन की कमी खलती है।" },
    Phrase { lang: "hi", topic: "features", tone: Tone::Negative, text: "शेड्यूल्ड रिपोर्ट जैसी मामूली सुविधा भी सालों की माँग के बाद अब तक नहीं आई।" },
    Phrase { lang: "hi", topic: "support_ticket", tone: Tone::Positive, text: "एक्सपोर्ट वाली दिक्कत का मेरा टिकट उसी दिन हल हो गया, बहुत-बहुत धन्यवाद!" },
    Phrase { lang: "hi", topic: "support_ticket", tone: Tone::Neutral, text: "आख़िरकार टिकट बंद हो गया, लेकिन मुझे समस्या दो बार समझानी पड़ी।" },
    Phrase { lang: "hi", topic: "support_ticket", tone: Tone::Negative, text: "बिना कुछ ठीक किए मेरा टिकट बंद कर दिया गया और मेरे अगले मैसेज का कोई जवाब नहीं आया।" },
    Phrase { lang: "hi", topic: "effort", tone: Tone::Positive, text: "बस एक छोटा-सा मैसेज भेजा और काम हो गया, बिल्कुल आसान।" },
    Phrase { lang: "hi", topic: "effort", tone: Tone::Neutral, text: "कुछ ईमेल और स्क्रीनशॉट भेजने पड़े, पर आख़िर में मामला सुलझ गया।" },
    Phrase { lang: "hi", topic: "effort", tone: Tone::Negative, text: "तीन अलग-अलग लोगों के पीछे भागना पड़ा, तब जाकर किसी ने मेरी बात सुनी।" },
    // ---------------------------------------------------------------- th
    Phrase { lang: "th", topic: "support", tone: Tone::Positive, text: "ทีมซัพพอร์ตตอบกลับภายในไม่กี่นาทีและเข้าใจปัญหาของเราทันที" },
    Phrase { lang: "th", topic: "support", tone: Tone::Neutral, text: "พนักงานสุภาพดีแต่บางครั้งต้องรอคำตอบหนึ่งถึงสองวัน" },
    Phrase { lang: "th", topic: "support", tone: Tone::Negative, text: "แจ้งปัญหาทีไรก็ต้องส่งอีเมลโต้ตอบกันเป็นสัปดาห์แล้วก็ยังแก้ไม่ได้" },
    Phrase { lang: "th", topic: "price", tone: Tone::Positive, text: "คุ้มค่ากับราคามากเพราะช่วยให้เราเลิกจ่ายค่าเครื่องมืออื่นได้อีกสองตัว" },
    Phrase { lang: "th", topic: "price", tone: Tone::Neutral, text: "ราคาก็พอรับได้แต่แพ็กเกจขั้นถัดไปแพงขึ้นเยอะเกินไป" },
    Phrase { lang: "th", topic: "price", tone: Tone::Negative, text: "ขึ้นราคาโดยไม่แจ้งล่วงหน้าแบบนี้ถือว่าไม่แฟร์กับลูกค้าเลย" },
    Phrase { lang: "th", topic: "speed", tone: Tone::Positive, text: "แม้จะมีคำตอบเป็นพันรายการแดชบอร์ดก็ยังเปิดขึ้นมาได้ทันที" },
    Phrase { lang: "th", topic: "speed", tone: Tone::Neutral, text: "โดยรวมก็เร็วดีแต่ส่งออกแบบสำรวจขนาดใหญ่ใช้เวลานานมาก" },
    Phrase { lang: "th", topic: "speed", tone: Tone::Negative, text: "เปิดรายงานแต่ละครั้งต้องรอเกินหนึ่งนาทีใช้งานทุกวันแล้วหงุดหงิดมาก" },
    Phrase { lang: "th", topic: "onboarding", tone: Tone::Positive, text: "คู่มือเริ่มต้นเข้าใจง่ายมากสร้างแบบสำรวจแรกเสร็จในสิบนาที" },
    Phrase { lang: "th", topic: "onboarding", tone: Tone::Neutral, text: "ตอนเริ่มใช้งานมีสอนพื้นฐานให้แต่เรื่องการเชื่อมต่อกับระบบอื่นต้องหาข้อมูลเอง" },
    Phrase { lang: "th", topic: "onboarding", tone: Tone::Negative, text: "ไม่มีใครอธิบายวิธีนำเข้ารายชื่อผู้ติดต่อและคู่มือการตั้งค่าก็ล้าสมัย" },
    Phrase { lang: "th", topic: "reliability", tone: Tone::Positive, text: "ใช้มาทั้งปีระบบไม่เคยล่มเลยสักครั้งไว้ใจได้จริงๆ" },
    Phrase { lang: "th", topic: "reliability", tone: Tone::Neutral, text: "ส่วนใหญ่ใช้งานได้ปกติแต่เดือนที่แล้วระบบล่มไปสั้นๆสองครั้ง" },
    Phrase { lang: "th", topic: "reliability", tone: Tone::Negative, text: "ระบบล่มสองรอบในสัปดาห์ที่งานยุ่งที่สุดของเราและคำตอบหายไปหลายรายการ" },
    Phrase { lang: "th", topic: "features", tone: Tone::Positive, text: "ฟีเจอร์ติดแท็กความคิดเห็นอัตโนมัติช่วยให้ทีมเราประหยัดเวลาได้หลายชั่วโมงต่อสัปดาห์" },
    Phrase { lang: "th", topic: "features", tone: Tone::Neutral, text: "ฟีเจอร์ที่จำเป็นมีเกือบครบแล้วแต่ยังขาดการกำหนดสิทธิ์ผู้ใช้" },
    Phrase { lang: "th", topic: "features", tone: Tone::Negative, text: "ขอฟีเจอร์ส่งรายงานตามกำหนดเวลามาหลายปีแล้วก็ยังไม่มีให้ใช้" },
    Phrase { lang: "th", topic: "support_ticket", tone: Tone::Positive, text: "ปัญหาส่งออกข้อมูลที่แจ้งไว้ได้รับการแก้ไขภายในวันเดียวขอบคุณมากครับ" },
    Phrase { lang: "th", topic: "support_ticket", tone: Tone::Neutral, text: "สุดท้ายเคสก็ถูกปิดแต่ต้องอธิบายปัญหาเดิมซ้ำถึงสองรอบ" },
    Phrase { lang: "th", topic: "support_ticket", tone: Tone::Negative, text: "ปิดเคสของฉันทั้งที่ยังไม่ได้แก้อะไรเลยและไม่ตอบข้อความที่ส่งไปต่อ" },
    Phrase { lang: "th", topic: "effort", tone: Tone::Positive, text: "ส่งข้อความไปแค่ครั้งเดียวก็แก้ปัญหาให้เรียบร้อยสะดวกมาก" },
    Phrase { lang: "th", topic: "effort", tone: Tone::Neutral, text: "ต้องส่งอีเมลกับภาพหน้าจอหลายรอบแต่สุดท้ายก็แก้ได้" },
    Phrase { lang: "th", topic: "effort", tone: Tone::Negative, text: "โดนโยนไปมาถึงสามคนกว่าจะมีคนรับเรื่องจริงจัง" },
    // ---------------------------------------------------------------- ja
    Phrase { lang: "ja", topic: "support", tone: Tone::Positive, text: "サポートの方が数分で返信してくれて、こちらの状況もすぐに理解してもらえました。" },
    Phrase { lang: "ja", topic: "support", tone: Tone::Neutral, text: "担当者は丁寧ですが、返事が来るまでに一、二日かかることがよくあります。" },
    Phrase { lang: "ja", topic: "support", tone: Tone::Negative, text: "問い合わせるたびに一週間もメールのやり取りが続き、結局何も解決しません。" },
    Phrase { lang: "ja", topic: "price", tone: Tone::Positive, text: "この価格でこれだけ使えるのはお得です。他のツール二つを解約できました。" },
    Phrase { lang: "ja", topic: "price", tone: Tone::Neutral, text: "料金は妥当だと思いますが、上位プランとの差が大きすぎます。" },
    Phrase { lang: "ja", topic: "price", tone: Tone::Negative, text: "事前の連絡もなく料金が上がりました。正直、納得できません。" },
    Phrase { lang: "ja", topic: "speed", tone: Tone::Positive, text: "回答が何千件あってもダッシュボードが一瞬で表示されます。" },
    Phrase { lang: "ja", topic: "speed", tone: Tone::Neutral, text: "普段は快適ですが、大きなアンケートのエクスポートには時間がかかります。" },
    Phrase { lang: "ja", topic: "speed", tone: Tone::Negative, text: "レポートを開くのに一分以上かかり、毎日使うのが苦痛です。" },
    Phrase { lang: "ja", topic: "onboarding", tone: Tone::Positive, text: "ガイドが分かりやすく、最初のアンケートを十分で作成できました。" },
    Phrase { lang: "ja", topic: "onboarding", tone: Tone::Neutral, text: "初期設定で基本は教えてもらえましたが、連携機能は自分たちで調べるしかありませんでした。" },
    Phrase { lang: "ja", topic: "onboarding", tone: Tone::Negative, text: "連絡先のインポート方法を誰も説明してくれず、設定ガイドも古いままです。" },
    Phrase { lang: "ja", topic: "reliability", tone: Tone::Positive, text: "一年間一度も止まったことがなく、安心して使えています。" },
    Phrase { lang: "ja", topic: "reliability", tone: Tone::Neutral, text: "ほとんど問題ありませんが、先月は短い障害が二回ありました。" },
    Phrase { lang: "ja", topic: "reliability", tone: Tone::Negative, text: "一番忙しい週にサービスが二度も停止し、回答データが失われました。" },
    Phrase { lang: "ja", topic: "features", tone: Tone::Positive, text: "コメントの自動タグ付けのおかげで、毎週何時間も節約できています。" },
    Phrase { lang: "ja", topic: "features", tone: Tone::Neutral, text: "必要な機能はだいたい揃っていますが、権限管理がないのが不便です。" },
    Phrase { lang: "ja", topic: "features", tone: Tone::Negative, text: "何年も要望しているのに、レポートの定期配信すらまだ実装されていません。" },
    Phrase { lang: "ja", topic: "support_ticket", tone: Tone::Positive, text: "エクスポートの不具合についての問い合わせを当日中に解決していただき、ありがとうございました。" },
    Phrase { lang: "ja", topic: "support_ticket", tone: Tone::Neutral, text: "最終的にチケットはクローズされましたが、同じ説明を二回する必要がありました。" },
    Phrase { lang: "ja", topic: "support_ticket", tone: Tone::Negative, text: "何も直っていないのにチケットを閉じられ、その後の問い合わせにも返事がありません。" },
    Phrase { lang: "ja", topic: "effort", tone: Tone::Positive, text: "メッセージを一通送っただけで対応してもらえて、とても楽でした。" },
    Phrase { lang: "ja", topic: "effort", tone: Tone::Neutral, text: "何度かメールやスクリーンショットを送る必要はありましたが、最終的には解決しました。" },
    Phrase { lang: "ja", topic: "effort", tone: Tone::Negative, text: "担当者が三回も変わってたらい回しにされ、対応してもらうまで本当に大変でした。" },
    // ---------------------------------------------------------------- zh
    Phrase { lang: "zh", topic: "support", tone: Tone::Positive, text: "客服几分钟就回复了，而且一下子就明白了我们的问题。" },
    Phrase { lang: "zh", topic: "support", tone: Tone::Neutral, text: "客服态度不错，就是回复经常要等一两天。" },
    Phrase { lang: "zh", topic: "support", tone: Tone::Negative, text: "每次找客服都要来回发一周邮件，问题还是没解决。" },
    Phrase { lang: "zh", topic: "price", tone: Tone::Positive, text: "这个价格很划算，我们因此停掉了另外两个付费工具。" },
    Phrase { lang: "zh", topic: "price", tone: Tone::Neutral, text: "价格还算合理，但升级到高一级的套餐贵太多了。" },
    Phrase { lang: "zh", topic: "price", tone: Tone::Negative, text: "续费价格一下涨了四成，我们准备取消订阅了。" },
    Phrase { lang: "zh", topic: "speed", tone: Tone::Positive, text: "就算有几千条回复，仪表盘也是秒开。" },
    Phrase { lang: "zh", topic: "speed", tone: Tone::Neutral, text: "平时速度还行，但导出大型问卷要等很久。" },
    Phrase { lang: "zh", topic: "speed", tone: Tone::Negative, text: "报表打开要一分多钟，每天用起来非常痛苦。" },
    Phrase { lang: "zh", topic: "onboarding", tone: Tone::Positive, text: "新手引导很清楚，十分钟就做好了第一份问卷。" },
    Phrase { lang: "zh", topic: "onboarding", tone: Tone::Neutral, text: "入门时讲了基本操作，但集成功能只能我们自己摸索。" },
    Phrase { lang: "zh", topic: "onboarding", tone: Tone::Negative, text: "没人告诉我们怎么导入联系人，设置指南也早就过时了。" },
    Phrase { lang: "zh", topic: "reliability", tone: Tone::Positive, text: "用了一整年，一次宕机都没遇到过，非常稳定。" },
    Phrase { lang: "zh", topic: "reliability", tone: Tone::Neutral, text: "大部分时候都正常，不过上个月出现过两次短暂的中断。" },
    Phrase { lang: "zh", topic: "reliability", tone: Tone::Negative, text: "在我们最忙的那周服务挂了两次，丢了不少回复数据。" },
    Phrase { lang: "zh", topic: "features", tone: Tone::Positive, text: "评论自动打标签的功能每周能帮我们团队省下好几个小时。" },
    Phrase { lang: "zh", topic: "features", tone: Tone::Neutral, text: "需要的功能基本都有，就是缺少角色和权限管理。" },
    Phrase { lang: "zh", topic: "features", tone: Tone::Negative, text: "定时发送报表这种基础功能，我们提了好几年还是没有。" },
    Phrase { lang: "zh", topic: "support_ticket", tone: Tone::Positive, text: "导出故障的工单当天就处理好了，非常感谢！" },
    Phrase { lang: "zh", topic: "support_ticket", tone: Tone::Neutral, text: "工单最后是关闭了，但同一个问题我解释了两遍。" },
    Phrase { lang: "zh", topic: "support_ticket", tone: Tone::Negative, text: "什么都没修好就把我的工单关了，后续留言也没人回。" },
    Phrase { lang: "zh", topic: "effort", tone: Tone::Positive, text: "只发了一条消息问题就解决了，特别省心。" },
    Phrase { lang: "zh", topic: "effort", tone: Tone::Neutral, text: "发了好几封邮件和截图，最后总算解决了。" },
    Phrase { lang: "zh", topic: "effort", tone: Tone::Negative, text: "被转给了三个不同的人，折腾了好久才有人认真处理。" },
    // ---------------------------------------------------------------- ar
    Phrase { lang: "ar", topic: "support", tone: Tone::Positive, text: "رد فريق الدعم خلال دقائق وفهم مشكلتنا من أول مرة." },
    Phrase { lang: "ar", topic: "support", tone: Tone::Neutral, text: "الموظفون لطفاء، لكن الرد يتأخر أحيانًا يومًا أو يومين." },
    Phrase { lang: "ar", topic: "support", tone: Tone::Negative, text: "كل طلب دعم يتحول إلى أسبوع من الرسائل المتبادلة دون أي حل." },
    Phrase { lang: "ar", topic: "price", tone: Tone::Positive, text: "قيمة ممتازة مقابل السعر، فقد استغنينا به عن أداتين كنا ندفع لهما." },
    Phrase { lang: "ar", topic: "price", tone: Tone::Neutral, text: "السعر معقول، لكن الانتقال إلى الباقة الأعلى مكلف جدًا." },
    Phrase { lang: "ar", topic: "price", tone: Tone::Negative, text: "رفعوا سعر التجديد بنسبة أربعين بالمئة دون أي تحسين يُذكر." },
    Phrase { lang: "ar", topic: "speed", tone: Tone::Positive, text: "لوحة التحكم تفتح فورًا حتى مع وجود آلاف الردود." },
    Phrase { lang: "ar", topic: "speed", tone: Tone::Neutral, text: "سريع في الغالب، لكن تصدير الاستبيانات الكبيرة يستغرق وقتًا طويلًا." },
    Phrase { lang: "ar", topic: "speed", tone: Tone::Negative, text: "تحتاج التقارير أكثر من دقيقة لتفتح، وهذا يجعل العمل اليومي مرهقًا." },
    Phrase { lang: "ar", topic: "onboarding", tone: Tone::Positive, text: "بفضل الجولة الإرشادية أنشأنا أول استبيان خلال عشر دقائق." },
    Phrase { lang: "ar", topic: "onboarding", tone: Tone::Neutral, text: "شرحوا لنا الأساسيات عند البدء، لكننا تعلمنا التكاملات بأنفسنا." },
    Phrase { lang: "ar", topic: "onboarding", tone: Tone::Negative, text: "لم يشرح لنا أحد كيفية استيراد جهات الاتصال، ودليل الإعداد قديم." },
    Phrase { lang: "ar", topic: "reliability", tone: Tone::Positive, text: "لم نواجه أي انقطاع طوال عام كامل، خدمة يمكن الاعتماد عليها." },
    Phrase { lang: "ar", topic: "reliability", tone: Tone::Neutral, text: "يعمل جيدًا معظم الوقت، مع أننا شهدنا انقطاعين قصيرين الشهر الماضي." },
    Phrase { lang: "ar", topic: "reliability", tone: Tone::Negative, text: "توقفت الخدمة مرتين في أكثر أسابيعنا انشغالًا وضاعت منا ردود كثيرة." },
    Phrase { lang: "ar", topic: "features", tone: Tone::Positive, text: "التصنيف التلقائي للتعليقات يوفر على فريقنا ساعات كل أسبوع." },
    Phrase { lang: "ar", topic: "features", tone: Tone::Neutral, text: "فيه معظم ما نحتاجه، لكن تنقصنا الأدوار والصلاحيات المخصصة." },
    Phrase { lang: "ar", topic: "features", tone: Tone::Negative, text: "ما زالت التقارير المجدولة غير متوفرة رغم أننا نطلبها منذ سنوات." },
    Phrase { lang: "ar", topic: "support_ticket", tone: Tone::Positive, text: "تم حل تذكرتي بخصوص مشكلة التصدير في اليوم نفسه، شكرًا جزيلًا!" },
    Phrase { lang: "ar", topic: "support_ticket", tone: Tone::Neutral, text: "أُغلقت التذكرة في النهاية، لكنني اضطررت لشرح المشكلة مرتين." },
    Phrase { lang: "ar", topic: "support_ticket", tone: Tone::Negative, text: "أغلقوا تذكرتي دون إصلاح أي شيء ولم يردوا على رسالتي التالية." },
    Phrase { lang: "ar", topic: "effort", tone: Tone::Positive, text: "كان الأمر سهلًا جدًا، رسالة واحدة وانتهت المشكلة." },
    Phrase { lang: "ar", topic: "effort", tone: Tone::Neutral, text: "احتجت إلى عدة رسائل وبعض لقطات الشاشة، لكن المشكلة حُلّت في النهاية." },
    Phrase { lang: "ar", topic: "effort", tone: Tone::Negative, text: "اضطررت لملاحقة ثلاثة أشخاص مختلفين حتى اهتم أحدهم بمشكلتي." },
];

/// The languages the demo comments are written in.
pub const LANGUAGES: &[&str] = &[
    "en", "es", "pa", "lo", "ur", "bn", "hi", "th", "ja", "zh", "ar",
];

/// What relationship (NPS) comments talk about.
pub const RELATIONSHIP_TOPICS: &[&str] = &[
    "support",
    "price",
    "speed",
    "onboarding",
    "reliability",
    "features",
];

/// Every topic: the relationship ones, a support ticket (CSAT), effort (CES).
pub const TOPICS: &[&str] = &[
    "support",
    "price",
    "speed",
    "onboarding",
    "reliability",
    "features",
    "support_ticket",
    "effort",
];

#[cfg(test)]
mod tests {
    use super::{LANGUAGES, PHRASES, RELATIONSHIP_TOPICS, TOPICS, Tone};

    #[test]
    fn relationship_topics_lead_the_topic_list() {
        assert_eq!(&TOPICS[..RELATIONSHIP_TOPICS.len()], RELATIONSHIP_TOPICS);
    }

    const TONES: &[Tone] = &[Tone::Positive, Tone::Neutral, Tone::Negative];

    fn is_thai(c: char) -> bool {
        ('\u{0E00}'..='\u{0E7F}').contains(&c)
    }

    fn is_lao(c: char) -> bool {
        ('\u{0E80}'..='\u{0EFF}').contains(&c)
    }

    /// Whether `c` belongs to the script `lang` is written in.
    fn in_script(lang: &str, c: char) -> bool {
        match lang {
            "en" | "es" => c.is_ascii_alphabetic() || "áéíóúñü¡¿".contains(c),
            "pa" => ('\u{0A00}'..='\u{0A7F}').contains(&c),
            "hi" => ('\u{0900}'..='\u{097F}').contains(&c),
            "bn" => ('\u{0980}'..='\u{09FF}').contains(&c),
            "ur" | "ar" => ('\u{0600}'..='\u{06FF}').contains(&c),
            "th" => is_thai(c),
            "lo" => is_lao(c),
            "ja" => {
                ('\u{3040}'..='\u{30FF}').contains(&c) || ('\u{4E00}'..='\u{9FFF}').contains(&c)
            }
            "zh" => ('\u{4E00}'..='\u{9FFF}').contains(&c),
            _ => false,
        }
    }

    #[test]
    fn every_language_has_every_topic_and_tone_once() {
        for &lang in LANGUAGES {
            for &topic in TOPICS {
                for &tone in TONES {
                    let n = PHRASES
                        .iter()
                        .filter(|p| p.lang == lang && p.topic == topic && p.tone == tone)
                        .count();
                    assert_eq!(n, 1, "{lang} / {topic} / {tone:?}: {n} phrases");
                }
            }
        }
        assert_eq!(PHRASES.len(), LANGUAGES.len() * TOPICS.len() * TONES.len());
    }

    #[test]
    fn every_phrase_uses_a_known_language_and_topic() {
        for p in PHRASES {
            assert!(LANGUAGES.contains(&p.lang), "unknown language {}", p.lang);
            assert!(TOPICS.contains(&p.topic), "unknown topic {}", p.topic);
        }
    }

    #[test]
    fn texts_are_clean() {
        for p in PHRASES {
            assert!(!p.text.is_empty(), "{} / {}: empty text", p.lang, p.topic);
            assert!(!p.text.contains("  "), "double space: {}", p.text);
            assert_eq!(p.text.trim(), p.text, "stray whitespace: {}", p.text);
            assert!(
                !p.text.contains(['\n', '\t']),
                "control whitespace: {}",
                p.text
            );
        }
    }

    #[test]
    fn texts_are_in_their_languages_script() {
        for p in PHRASES {
            let letters = p.text.chars().filter(|c| c.is_alphabetic()).count();
            let native = p.text.chars().filter(|&c| in_script(p.lang, c)).count();
            assert!(
                native * 2 > letters,
                "{}: mostly not in its script: {}",
                p.lang,
                p.text
            );
        }
        for p in PHRASES.iter().filter(|p| p.lang == "lo") {
            assert!(
                !p.text.chars().any(is_thai),
                "Thai letters in Lao text: {}",
                p.text
            );
        }
        for p in PHRASES.iter().filter(|p| p.lang == "th") {
            assert!(
                !p.text.chars().any(is_lao),
                "Lao letters in Thai text: {}",
                p.text
            );
        }
    }

    #[test]
    fn lao_and_thai_do_not_space_between_letters() {
        for p in PHRASES.iter().filter(|p| p.lang == "lo" || p.lang == "th") {
            let native = if p.lang == "lo" { is_lao } else { is_thai };
            let chars: Vec<char> = p.text.chars().collect();
            for w in chars.windows(3) {
                assert!(
                    !(w[1] == ' ' && native(w[0]) && native(w[2])),
                    "{}: space between letters in {}",
                    p.lang,
                    p.text
                );
            }
        }
    }

    #[test]
    fn space_separated_texts_have_five_to_twenty_five_words() {
        for p in PHRASES {
            if matches!(p.lang, "lo" | "th" | "ja" | "zh") {
                continue;
            }
            let words = p.text.split(' ').count();
            assert!((5..=25).contains(&words), "{} words: {}", words, p.text);
        }
    }
}
