# What a respondent reads around a survey's questions (bn).

survey-send = পাঠান
survey-thanks-heading = ধন্যবাদ
survey-thanks-text = আপনার উত্তর গ্রহণ করা হয়েছে।
survey-invitation-used = এই আমন্ত্রণের উত্তর আগেই দেওয়া হয়েছে।
survey-nps-low = একেবারেই না
survey-nps-high = খুবই সম্ভব
survey-too-many = আপনার নেটওয়ার্ক থেকে এইমাত্র অনেক বেশি উত্তর পাঠানো হয়েছে। আপনার উত্তরগুলি নিচে রাখা আছে: অনুগ্রহ করে { $seconds } সেকেন্ড পরে আবার পাঠান।
survey-busy = এই মুহূর্তে অনেক উত্তর আসছে। আপনার উত্তরগুলি নিচে রাখা আছে: অনুগ্রহ করে একটু পরে আবার পাঠান।
survey-invitation-only-heading = শুধু আমন্ত্রণে
survey-invitation-only-text = এই জরিপটি শুধু আমন্ত্রিতদের জন্য। অনুগ্রহ করে আপনার আমন্ত্রণের ব্যক্তিগত লিংক দিয়ে খুলুন।
survey-already-answered = আপনি এই জরিপের উত্তর আগেই দিয়েছেন। ধন্যবাদ!
survey-send-again = অনুগ্রহ করে আপনার উত্তরগুলো দেখে আবার পাঠান।
