#!/usr/bin/env bash
# The README's main command. Until the search engine lands (issue: the search engine), the main
# job installs, builds and renders a multilingual sample the way the model sees it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
mkdir -p out
while IFS='|' read -r name renderer text; do
  build/api/cli/clippo render "$text" --renderer "$renderer" -o "out/$name.png"
  echo "rendered out/$name.png ($renderer): $text"
done <<'SAMPLES'
english|unifont|A photo of a cat sitting on a red sofa
german|unifont|Eine Katze schläft auf dem Sofa
russian|unifont|Кошка спит на диване
chinese|unifont|一只猫在沙发上睡觉
arabic_unifont|unifont|قطة نائمة على الأريكة
arabic_shaped|shaped|قطة نائمة على الأريكة
hindi_shaped|shaped|सोफे पर सोती हुई बिल्ली
hebrew_shaped|shaped|חתול ישן על הספה
thai_shaped|shaped|แมวนอนหลับบนโซฟา
SAMPLES
