# What a respondent reads around a survey's questions (ja).

survey-send = 送信
survey-thanks-heading = ありがとうございます
survey-thanks-text = ご回答を受け付けました。
survey-invitation-used = この招待にはすでに回答済みです。
survey-nps-low = まったく思わない
survey-nps-high = 非常にそう思う
survey-too-many = お使いのネットワークから短時間に多くの回答が送信されました。回答は下に残っています。{ $seconds } 秒後にもう一度送信してください。
survey-busy = ただいま多くの回答が届いています。回答は下に残っています。少し待ってからもう一度送信してください。
survey-invitation-only-heading = 招待者限定
survey-invitation-only-text = このアンケートは招待された方のみご回答いただけます。招待状の個人用リンクから開いてください。
survey-already-answered = このアンケートにはすでに回答済みです。ありがとうございました。
survey-send-again = 回答をご確認のうえ、もう一度送信してください。
