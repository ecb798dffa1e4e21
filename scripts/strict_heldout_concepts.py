#!/usr/bin/python3
"""The held-out concepts that no non-emoji picture of the corpus names in English, as a folder
`clippo report xm3600` reads (captions.jsonl filtered; images linked):
    /usr/bin/python3 scripts/strict_heldout_concepts.py data/corpus /tmp/strict
A held-out concept is left out when the English name of its picture appears, as whole words, in
any English caption (titles, descriptions, keywords, tags) of any Openclipart, Sweet Home 3D,
Tux Paint, flag or Fashion-MNIST picture of the corpus, whichever split that picture is in today:
pictures now held out for naming a held-out emoji were in the training data of models trained
before the corpus builder held them out (stages 1-5 of models/README.md), so this one set is
clean for every model trained from the shipped one. The held-out source (art4apps) was never
trained on and is not read. Prints how many concepts are kept and a few of those left out.
"""
import json
import os
import re
import sys

EMOJI = {"noto", "noto-v1", "twemoji", "openmoji", "fluent-emoji-flat", "fluent-emoji", "emojione",
         "emojione-v1", "fxemoji", "streamline-emojis"}


def words(text):
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def main(corpus, out):
    source = {}
    for line in open(os.path.join(corpus, "items.jsonl")):
        item = json.loads(line)
        source[item["key"]] = item["source"]
    heldout = [json.loads(line) for line in open(os.path.join(corpus, "heldout_concepts", "captions.jsonl"))]
    names = {d["image/key"]: words(d["en"]["caption"][0]) for d in heldout if "en" in d}
    named = set()
    for line in open(os.path.join(corpus, "captions.jsonl")):
        d = json.loads(line)
        if source.get(d["image/key"]) in EMOJI | {"art4apps"} or "en" not in d:
            continue
        texts = [" " + words(c) + " " for c in d["en"]["caption"]]
        named |= {k for k, n in names.items() if n and any(" " + n + " " in t for t in texts)}
    os.makedirs(out, exist_ok=True)
    kept = 0
    with open(os.path.join(out, "captions.jsonl"), "w") as f:
        for d in heldout:
            if d["image/key"] not in named:
                f.write(json.dumps(d, ensure_ascii=False) + "\n")
                kept += 1
    link = os.path.join(out, "images")
    if not os.path.lexists(link):
        os.symlink(os.path.abspath(os.path.join(corpus, "heldout_concepts", "images")), link)
    print(f"kept {kept} of {len(heldout)} held-out concepts; left out {len(named)}, e.g. "
          + ", ".join(sorted(names[k] for k in named)[:12]))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
