# What a respondent reads around a survey's questions (zh).

survey-send = 提交
survey-thanks-heading = 谢谢
survey-thanks-text = 您的回答已记录。
survey-invitation-used = 此邀请已被回答。
survey-nps-low = 完全不可能
survey-nps-high = 非常可能
survey-too-many = 您的网络刚刚发送了过多的回答。您的回答保留在下方：请在 { $seconds } 秒后重新发送。
survey-busy = 此刻收到的回答很多。您的回答保留在下方：请稍后重新发送。
survey-invitation-only-heading = 仅限受邀者
survey-invitation-only-text = 此调查仅限受邀者参与。请使用邀请中的个人链接打开。
survey-already-answered = 您已经回答过此调查。谢谢！
survey-send-again = 请检查您的回答并重新提交。
