# What a respondent reads around a survey's questions (ar).

survey-send = إرسال
survey-thanks-heading = شكرًا لك
survey-thanks-text = تم تسجيل إجابتك.
survey-invitation-used = تمت الإجابة على هذه الدعوة من قبل.
survey-nps-low = غير محتمل إطلاقًا
survey-nps-high = محتمل جدًا
survey-too-many = أُرسلت إجابات كثيرة جدًا من شبكتك للتو. إجاباتك محفوظة أدناه: يُرجى إرسالها مرة أخرى بعد { $seconds } ثانية.
survey-busy = تصل إجابات كثيرة في هذه اللحظة. إجاباتك محفوظة أدناه: يُرجى إرسالها مرة أخرى بعد لحظة.
survey-invitation-only-heading = بدعوة فقط
survey-invitation-only-text = هذا الاستبيان متاح بدعوة فقط. يُرجى فتحه من الرابط الشخصي في دعوتك.
survey-already-answered = لقد أجبت عن هذا الاستبيان من قبل. شكرًا لك!
survey-send-again = يُرجى مراجعة إجاباتك وإرسالها مرة أخرى.
