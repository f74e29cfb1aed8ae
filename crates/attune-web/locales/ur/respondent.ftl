# What a respondent reads around a survey's questions (ur).

survey-send = بھیجیں
survey-thanks-heading = شکریہ
survey-thanks-text = آپ کا جواب محفوظ ہو گیا ہے۔
survey-invitation-used = اس دعوت کا جواب پہلے ہی دیا جا چکا ہے۔
survey-nps-low = بالکل نہیں
survey-nps-high = بہت زیادہ امکان
survey-too-many = آپ کے نیٹ ورک سے ابھی بہت زیادہ جوابات بھیجے گئے ہیں۔ آپ کے جوابات نیچے محفوظ ہیں: براہ کرم { $seconds } سیکنڈ بعد دوبارہ بھیجیں۔
survey-busy = اس وقت بہت سے جوابات آ رہے ہیں۔ آپ کے جوابات نیچے محفوظ ہیں: براہ کرم تھوڑی دیر بعد دوبارہ بھیجیں۔
survey-invitation-only-heading = صرف دعوت پر
survey-invitation-only-text = یہ سروے صرف دعوت کے ذریعے ہے۔ براہ کرم اپنی دعوت میں دیا گیا ذاتی لنک استعمال کریں۔
survey-already-answered = آپ اس سروے کا جواب پہلے ہی دے چکے ہیں۔ شکریہ!
survey-send-again = براہ کرم اپنے جوابات دیکھ لیں اور دوبارہ بھیجیں۔
