# What a respondent reads around a survey's questions (fr).

survey-send = Envoyer
survey-thanks-heading = Merci
survey-thanks-text = Votre réponse a été enregistrée.
survey-invitation-used = Cette invitation a déjà reçu une réponse.
survey-nps-low = Pas du tout probable
survey-nps-high = Très probable
survey-too-many = Trop de réponses ont été envoyées depuis votre réseau à l’instant. Vos réponses sont conservées ci-dessous : renvoyez-les dans { $seconds } secondes.
survey-busy = Beaucoup de réponses arrivent en ce moment. Vos réponses sont conservées ci-dessous : renvoyez-les dans un instant.
survey-invitation-only-heading = Sur invitation uniquement
survey-invitation-only-text = Ce questionnaire est réservé aux personnes invitées. Ouvrez-le avec le lien personnel de votre invitation.
survey-already-answered = Vous avez déjà répondu à ce questionnaire. Merci !
survey-send-again = Veuillez vérifier vos réponses et les envoyer à nouveau.
