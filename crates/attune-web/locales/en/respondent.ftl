# What a respondent reads around a survey's questions (en).

survey-send = Send
survey-thanks-heading = Thank you
survey-thanks-text = Your answer has been recorded.
survey-invitation-used = This invitation has already been answered.
survey-nps-low = Not at all likely
survey-nps-high = Extremely likely
survey-too-many = Too many answers were sent from your network just now. Your answers are kept below: please send them again in { $seconds } seconds.
survey-busy = Many answers are arriving right now. Your answers are kept below: please send them again in a moment.
survey-invitation-only-heading = Invitation only
survey-invitation-only-text = This survey is by invitation only. Please open it with the personal link from your invitation.
survey-already-answered = You have already answered this survey. Thank you!
survey-send-again = Please check your answers and send them again.
