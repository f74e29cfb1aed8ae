# What a respondent reads around a survey's questions (th).

survey-send = ส่ง
survey-thanks-heading = ขอบคุณ
survey-thanks-text = เราได้รับคำตอบของคุณแล้ว
survey-invitation-used = คำเชิญนี้ได้รับการตอบแล้ว
survey-nps-low = ไม่น่าจะเลย
survey-nps-high = น่าจะมากที่สุด
survey-too-many = มีการส่งคำตอบจากเครือข่ายของคุณมากเกินไปเมื่อสักครู่ คำตอบของคุณยังอยู่ด้านล่าง: โปรดส่งอีกครั้งในอีก { $seconds } วินาที
survey-busy = ขณะนี้มีคำตอบเข้ามาจำนวนมาก คำตอบของคุณยังอยู่ด้านล่าง: โปรดส่งอีกครั้งในอีกสักครู่
survey-invitation-only-heading = เฉพาะผู้ได้รับเชิญ
survey-invitation-only-text = แบบสำรวจนี้สำหรับผู้ได้รับเชิญเท่านั้น โปรดเปิดด้วยลิงก์ส่วนตัวในคำเชิญของคุณ
survey-already-answered = คุณได้ตอบแบบสำรวจนี้แล้ว ขอบคุณ!
survey-send-again = โปรดตรวจสอบคำตอบของคุณแล้วส่งอีกครั้ง
