# What a respondent reads around a survey's questions (pa).

survey-send = ਭੇਜੋ
survey-thanks-heading = ਧੰਨਵਾਦ
survey-thanks-text = ਤੁਹਾਡਾ ਜਵਾਬ ਦਰਜ ਹੋ ਗਿਆ ਹੈ।
survey-invitation-used = ਇਸ ਸੱਦੇ ਦਾ ਜਵਾਬ ਪਹਿਲਾਂ ਹੀ ਦਿੱਤਾ ਜਾ ਚੁੱਕਾ ਹੈ।
survey-nps-low = ਬਿਲਕੁਲ ਨਹੀਂ
survey-nps-high = ਬਹੁਤ ਸੰਭਾਵਨਾ
survey-too-many = ਤੁਹਾਡੇ ਨੈੱਟਵਰਕ ਤੋਂ ਹੁਣੇ ਬਹੁਤ ਸਾਰੇ ਜਵਾਬ ਭੇਜੇ ਗਏ ਹਨ। ਤੁਹਾਡੇ ਜਵਾਬ ਹੇਠਾਂ ਸੰਭਾਲੇ ਹੋਏ ਹਨ: ਕਿਰਪਾ ਕਰਕੇ { $seconds } ਸਕਿੰਟਾਂ ਬਾਅਦ ਦੁਬਾਰਾ ਭੇਜੋ।
survey-busy = ਇਸ ਵੇਲੇ ਬਹੁਤ ਸਾਰੇ ਜਵਾਬ ਆ ਰਹੇ ਹਨ। ਤੁਹਾਡੇ ਜਵਾਬ ਹੇਠਾਂ ਸੰਭਾਲੇ ਹੋਏ ਹਨ: ਕਿਰਪਾ ਕਰਕੇ ਥੋੜ੍ਹੀ ਦੇਰ ਬਾਅਦ ਦੁਬਾਰਾ ਭੇਜੋ।
survey-invitation-only-heading = ਸਿਰਫ਼ ਸੱਦੇ ਨਾਲ
survey-invitation-only-text = ਇਹ ਸਰਵੇਖਣ ਸਿਰਫ਼ ਸੱਦੇ ਨਾਲ ਹੈ। ਕਿਰਪਾ ਕਰਕੇ ਇਸਨੂੰ ਆਪਣੇ ਸੱਦੇ ਵਿੱਚ ਦਿੱਤੇ ਨਿੱਜੀ ਲਿੰਕ ਨਾਲ ਖੋਲ੍ਹੋ।
survey-already-answered = ਤੁਸੀਂ ਇਸ ਸਰਵੇਖਣ ਦਾ ਜਵਾਬ ਪਹਿਲਾਂ ਹੀ ਦੇ ਚੁੱਕੇ ਹੋ। ਧੰਨਵਾਦ!
survey-send-again = ਕਿਰਪਾ ਕਰਕੇ ਆਪਣੇ ਜਵਾਬ ਜਾਂਚੋ ਅਤੇ ਦੁਬਾਰਾ ਭੇਜੋ।
