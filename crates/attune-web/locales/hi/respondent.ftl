# What a respondent reads around a survey's questions (hi).

survey-send = भेजें
survey-thanks-heading = धन्यवाद
survey-thanks-text = आपका उत्तर दर्ज हो गया है।
survey-invitation-used = इस निमंत्रण का उत्तर पहले ही दिया जा चुका है।
survey-nps-low = बिल्कुल नहीं
survey-nps-high = बहुत संभावना
survey-too-many = आपके नेटवर्क से अभी बहुत अधिक उत्तर भेजे गए हैं। आपके उत्तर नीचे सुरक्षित हैं: कृपया { $seconds } सेकंड बाद फिर से भेजें।
survey-busy = इस समय बहुत सारे उत्तर आ रहे हैं। आपके उत्तर नीचे सुरक्षित हैं: कृपया थोड़ी देर में फिर से भेजें।
survey-invitation-only-heading = केवल आमंत्रण से
survey-invitation-only-text = यह सर्वेक्षण केवल आमंत्रित लोगों के लिए है। कृपया अपने आमंत्रण के निजी लिंक से खोलें।
survey-already-answered = आप इस सर्वेक्षण का उत्तर पहले ही दे चुके हैं। धन्यवाद!
survey-send-again = कृपया अपने उत्तर जाँचें और फिर से भेजें।
