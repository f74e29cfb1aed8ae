# What a respondent reads around a survey's questions (es).

survey-send = Enviar
survey-thanks-heading = Gracias
survey-thanks-text = Hemos recibido su respuesta.
survey-invitation-used = Esta invitación ya fue respondida.
survey-nps-low = Nada probable
survey-nps-high = Muy probable
survey-too-many = Se enviaron demasiadas respuestas desde su red hace un momento. Sus respuestas se conservan abajo: envíelas de nuevo dentro de { $seconds } segundos.
survey-busy = En este momento llegan muchas respuestas. Sus respuestas se conservan abajo: envíelas de nuevo en un momento.
survey-invitation-only-heading = Solo con invitación
survey-invitation-only-text = Esta encuesta es solo con invitación. Ábrala con el enlace personal de su invitación.
survey-already-answered = Ya ha respondido a esta encuesta. ¡Gracias!
survey-send-again = Revise sus respuestas y envíelas de nuevo.
