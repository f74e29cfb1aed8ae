# What a respondent reads around a survey's questions (lo).

survey-send = ສົ່ງ
survey-thanks-heading = ຂອບໃຈ
survey-thanks-text = ພວກເຮົາໄດ້ຮັບຄຳຕອບຂອງທ່ານແລ້ວ
survey-invitation-used = ຄຳເຊີນນີ້ໄດ້ຖືກຕອບແລ້ວ
survey-nps-low = ບໍ່ແນ່ນອນ
survey-nps-high = ແນ່ນອນທີ່ສຸດ
survey-too-many = ມີຄຳຕອບຖືກສົ່ງຈາກເຄືອຂ່າຍຂອງທ່ານຫຼາຍເກີນໄປໃນຕອນນີ້. ຄຳຕອບຂອງທ່ານຖືກເກັບໄວ້ຂ້າງລຸ່ມ: ກະລຸນາສົ່ງອີກຄັ້ງໃນອີກ { $seconds } ວິນາທີ.
survey-busy = ຕອນນີ້ມີຄຳຕອບເຂົ້າມາຫຼາຍ. ຄຳຕອບຂອງທ່ານຖືກເກັບໄວ້ຂ້າງລຸ່ມ: ກະລຸນາສົ່ງອີກຄັ້ງໃນອີກບໍ່ດົນ.
survey-invitation-only-heading = ສະເພາະຜູ້ທີ່ໄດ້ຮັບເຊີນ
survey-invitation-only-text = ແບບສຳຫຼວດນີ້ສະເພາະຜູ້ທີ່ໄດ້ຮັບເຊີນເທົ່ານັ້ນ. ກະລຸນາເປີດດ້ວຍລິ້ງສ່ວນຕົວໃນຄຳເຊີນຂອງທ່ານ.
survey-already-answered = ທ່ານໄດ້ຕອບແບບສຳຫຼວດນີ້ແລ້ວ. ຂອບໃຈ!
survey-send-again = ກະລຸນາກວດຄຳຕອບຂອງທ່ານ ແລະ ສົ່ງອີກຄັ້ງ.
