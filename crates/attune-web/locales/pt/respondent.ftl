# What a respondent reads around a survey's questions (pt).

survey-send = Enviar
survey-thanks-heading = Obrigado
survey-thanks-text = A sua resposta foi registada.
survey-invitation-used = Este convite já foi respondido.
survey-nps-low = Nada provável
survey-nps-high = Muito provável
survey-too-many = Foram enviadas demasiadas respostas a partir da sua rede agora mesmo. As suas respostas estão guardadas abaixo: envie-as novamente daqui a { $seconds } segundos.
survey-busy = Estão a chegar muitas respostas neste momento. As suas respostas estão guardadas abaixo: envie-as novamente daqui a pouco.
survey-invitation-only-heading = Apenas por convite
survey-invitation-only-text = Este inquérito é apenas por convite. Abra-o com o link pessoal do seu convite.
survey-already-answered = Já respondeu a este inquérito. Obrigado!
survey-send-again = Verifique as suas respostas e envie-as novamente.
