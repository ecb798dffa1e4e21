#!/usr/bin/env bash
# What both directions give with a model (default: the shipped one), per language, next to chance:
#   bash scripts/report_both_directions.sh [MODEL.npz]        (writes docs/reports/both_directions/)
#  - bundled_collection/: the main job's Noto emoji with their CLDR names and keywords in every
#    locale (`clippo dataset emoji`, all locales): image -> text and text -> image R@1/5/10
#    (`clippo report xm3600`);
#  - bundled_names.{json,md}: text -> text on the same emoji, the English name -> the name in
#    each locale and back (`clippo eval pairs`);
#  - heldout_names.{json,md}: the same on the emoji concepts the default model never saw (the
#    corpus's heldout_concepts): what carries to new concepts.
# The bundled emoji are mostly concepts the default model trained on, in a style it trained on:
# their figures show fit; the held-out ones show generalisation (models/README.md).
# Needs the corpus (scripts/prepare_training.sh) for the held-out concepts.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIPPO=${CLIPPO:-build/api/cli/clippo}
MODEL=${1:-models/default.npz}
OUT=docs/reports/both_directions
mkdir -p "$OUT"

[ -f data/emoji_all/captions.jsonl ] || "$CLIPPO" dataset emoji --out data/emoji_all
"$CLIPPO" report xm3600 --model default="$MODEL" --data data/emoji_all --out "$OUT/bundled_collection"

# Name pairs from a Crossmodal-3600-layout captions.jsonl: per image, the first English caption
# (the CLDR name) beside the first caption of every other locale, as the text-pairs TSV
# `clippo eval pairs` reads (text_a, text_b, lang_a, lang_b).
name_pairs() {
  /usr/bin/python3 - "$1" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    row = json.loads(line)
    en = row.get("en", {}).get("caption", [])
    if not en:
        continue
    for lang, value in sorted(row.items()):
        if lang in ("image/key", "en") or not isinstance(value, dict) or not value.get("caption"):
            continue
        a, b = en[0].replace("\t", " "), value["caption"][0].replace("\t", " ")
        print(f"{a}\t{b}\ten\t{lang}")
PY
}

# Per-language tables of the text -> text figures, next to chance (R@k in %).
pairs_table() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = d["per_language"]
pct = lambda x: f"{100 * x:.1f}"
cols = [(k, m) for k in ("t2i", "i2t", "chance_t2i") for m in ("r1", "r5", "r10")]
print(f"# {sys.argv[2]}: text -> text recall@k (%), the English name <-> the name in each language\n")
print("| language | names | en→X R@1 | en→X R@5 | en→X R@10 | X→en R@1 | X→en R@5 | X→en R@10 "
      "| chance R@1 | chance R@5 | chance R@10 |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for lang in sorted(rows):
    r = rows[lang]
    print(f"| {lang} | {r['n_images']} | " + " | ".join(pct(r[k][m]) for k, m in cols) + " |")
print("| **mean** | | " + " | ".join(pct(d["mean"][k][m]) for k, m in cols) + " |")
PY
}

name_pairs data/emoji_all/captions.jsonl >data/emoji_all/name_pairs.tsv
"$CLIPPO" eval pairs --model "$MODEL" --data data/emoji_all/name_pairs.tsv --json >"$OUT/bundled_names.json"
pairs_table "$OUT/bundled_names.json" "The bundled collection (Noto emoji)" >"$OUT/bundled_names.md"
name_pairs data/corpus/heldout_concepts/captions.jsonl >data/corpus/heldout_concepts/name_pairs.tsv
"$CLIPPO" eval pairs --model "$MODEL" --data data/corpus/heldout_concepts/name_pairs.tsv --json >"$OUT/heldout_names.json"
pairs_table "$OUT/heldout_names.json" "Held-out emoji concepts" >"$OUT/heldout_names.md"
echo "wrote $OUT"
