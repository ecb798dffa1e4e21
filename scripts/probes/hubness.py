#!/usr/bin/python3
"""Would a hubness correction help text->image retrieval on the held-out concepts? A probe, not
part of the product. Embeds the held-out concepts' pictures, their first caption in the nine
languages the training runs evaluate, and a bank of 6,000 training captions in those languages
(none of them held out), then reports mean and English T->I R@5 for the raw cosine ranking,
for CSLS (score minus a times the picture's mean similarity to its k nearest bank captions) and
for the inverted softmax (each picture's scores normalised over the bank, as query-bank
normalisation does):
    /usr/bin/python3 scripts/probes/hubness.py MODEL.npz [CORPUS=data/corpus] [WORK=/tmp/hubness]
Pure Python (no numpy on this machine): about a minute.
"""
import json
import math
import operator
import os
import random
import struct
import subprocess
import sys

LANGS = ["en", "de", "fr", "es", "ja", "zh", "ru", "ar", "hi"]
CLIPPO = os.environ.get("CLIPPO", "build/api/cli/clippo")


def load_npy(path):
    b = open(path, "rb").read()
    header_len = struct.unpack("<H", b[8:10])[0]
    n, d = eval(b[10:10 + header_len].decode())["shape"]
    flat = struct.unpack(f"<{n * d}f", b[10 + header_len:10 + header_len + 4 * n * d])
    return [flat[i * d:(i + 1) * d] for i in range(n)]


def encode(model, flag, lines, work, name):
    listing = os.path.join(work, name + ".txt")
    open(listing, "w").write("".join(t.replace("\n", " ") + "\n" for t in lines))
    out = os.path.join(work, name + ".npy")
    subprocess.run([CLIPPO, "encode", "--model", model, flag, listing, "-o", out], check=True, stdout=subprocess.DEVNULL)
    return load_npy(out)


def main(model, corpus, work):
    os.makedirs(work, exist_ok=True)
    held = [json.loads(l) for l in open(os.path.join(corpus, "heldout_concepts", "captions.jsonl"))]
    images = os.path.join(corpus, "heldout_concepts", "images")
    files = {os.path.splitext(f)[0]: f for f in os.listdir(images)}
    queries = [(lang, i, d[lang]["caption"][0]) for i, d in enumerate(held) for lang in LANGS if lang in d]
    split = {}
    for line in open(os.path.join(corpus, "items.jsonl")):
        item = json.loads(line)
        split[item["key"]] = item["split"]
    bank = []
    for line in open(os.path.join(corpus, "captions.jsonl")):
        d = json.loads(line)
        if split.get(d["image/key"]) == "train":
            bank += [d[lang]["caption"][0] for lang in LANGS if lang in d]
    random.seed(0)
    random.shuffle(bank)
    bank = bank[:6000]
    G = encode(model, "--images", [os.path.join(images, files[d["image/key"]]) for d in held], work, "pictures")
    Q = encode(model, "--texts", [t for _, _, t in queries], work, "queries")
    B = encode(model, "--texts", bank, work, "bank")
    dot = lambda a, b: sum(map(operator.mul, a, b))
    SQ = [[dot(x, g) for g in G] for x in Q]
    per_picture = list(zip(*[[dot(x, g) for g in G] for x in B]))  # each picture's similarity to the bank
    n = len(G)

    def r5(score):
        hits = {}
        for (lang, i, _), row in zip(queries, SQ):
            s = score(row)
            hits.setdefault(lang, []).append(sum(1 for j in range(n) if s[j] > s[i]) < 5)
        per = {lang: 100 * sum(v) / len(v) for lang, v in hits.items()}
        return f"mean T->I R@5 {sum(per.values()) / len(per):5.2f}  English {per['en']:5.2f}"

    print(f"{len(G)} pictures, {len(Q)} queries in {len(LANGS)} languages, bank of {len(B)} training captions")
    print("raw cosine                 ", r5(lambda row: row))
    for k in (5, 10, 50):
        hub = [sum(sorted(c, reverse=True)[:k]) / k for c in per_picture]
        for a in (0.5, 1.0):
            print(f"CSLS k={k:<3} a={a}           ", r5(lambda row: [row[j] - a * hub[j] for j in range(n)]))
    for beta in (10, 20, 40):
        z = [math.log(sum(math.exp(beta * v) for v in c)) for c in per_picture]
        print(f"inverted softmax beta={beta:<3} ", r5(lambda row: [beta * row[j] - z[j] for j in range(n)]))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "data/corpus", sys.argv[3] if len(sys.argv) > 3 else "/tmp/hubness")
