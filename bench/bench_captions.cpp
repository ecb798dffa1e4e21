#include "bench/bench_captions.h"

namespace clippo::bench {

const std::vector<std::string>& mixed_script_captions() {
  static const std::vector<std::string> captions = {
      "A photo of a cat sitting on a red sofa",
      "Two dogs playing with a ball in the park on a sunny afternoon",
      "Eine Katze schläft auf dem Sofa neben dem Fenster",
      "Un chat noir dort sur le canapé du salon",
      "Un perro corre por la playa al atardecer",
      "Кошка спит на диване у окна",
      "Η γάτα κοιμάται στον καναπέ",
      "一只猫在沙发上睡觉",
      "公園でボールで遊ぶ二匹の犬",
      "해변에서 달리는 개 한 마리",
      "قطة نائمة على الأريكة بجانب النافذة",
      "חתול ישן על הספה ליד החלון",
      "सोफे पर सोती हुई बिल्ली",
      "সোফায় ঘুমন্ত একটি বিড়াল",
      "சோபாவில் தூங்கும் பூனை",
      "แมวนอนหลับบนโซฟาข้างหน้าต่าง",
      "Mèo đang ngủ trên ghế sofa cạnh cửa sổ",
      "Kedi pencerenin yanındaki kanepede uyuyor",
      "Paka amelala kwenye sofa karibu na dirisha",
      "კატა დივანზე სძინავს",
      "Կատուն քնած է բազմոցին",
      "ኣንድ ድመት በሶፋ ላይ ተኝታለች",
      "A bowl of ramen 🍜 with an egg 🥚 and chopsticks",
      "Street market at night, neon signs, rain on the pavement",
  };
  return captions;
}

}  // namespace clippo::bench
