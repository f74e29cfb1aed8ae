# What a respondent reads around a survey's questions (de).

survey-send = Senden
survey-thanks-heading = Danke
survey-thanks-text = Ihre Antwort wurde gespeichert.
survey-invitation-used = Diese Einladung wurde bereits beantwortet.
survey-nps-low = Gar nicht wahrscheinlich
survey-nps-high = Äußerst wahrscheinlich
survey-too-many = Aus Ihrem Netzwerk wurden gerade zu viele Antworten gesendet. Ihre Antworten sind unten erhalten: Bitte senden Sie sie in { $seconds } Sekunden erneut.
survey-busy = Gerade treffen sehr viele Antworten ein. Ihre Antworten sind unten erhalten: Bitte senden Sie sie gleich noch einmal.
survey-invitation-only-heading = Nur mit Einladung
survey-invitation-only-text = Diese Umfrage ist nur mit Einladung zugänglich. Bitte öffnen Sie sie über den persönlichen Link aus Ihrer Einladung.
survey-already-answered = Sie haben diese Umfrage bereits beantwortet. Vielen Dank!
survey-send-again = Bitte prüfen Sie Ihre Antworten und senden Sie sie erneut.
