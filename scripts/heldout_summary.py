#!/usr/bin/python3
"""The held-out summary rows of models/README.md from `clippo report xm3600` JSON files:
per model, the mean over the locales that name nearly every picture (n_images >= share x the
largest locale's; sparse locales have small galleries and high chance) of T->I R@1/5/10,
I->T R@5, chance T->I R@5 and their ratio, then English alone.
    /usr/bin/python3 scripts/heldout_summary.py models/default_eval/heldout_concepts/xm3600.json [--min-share 0.8]
"""
import json
import math
import sys


def rows(path, min_share):
    report = json.load(open(path))
    for name, model in report["models"].items():
        langs = model["per_language"]
        most = max(v["n_images"] for v in langs.values())
        least = math.ceil(min_share * most)
        chosen = {k: v for k, v in langs.items() if v["n_images"] >= least}
        def row(label, vs):
            n = len(vs)
            m = lambda get: 100 * sum(get(v) for v in vs) / n
            t5, c5 = m(lambda v: v["t2i"]["r5"]), m(lambda v: v["chance_t2i"]["r5"])
            return (f"| {label} | {m(lambda v: v['t2i']['r1']):.1f} | {t5:.1f} | {m(lambda v: v['t2i']['r10']):.1f} | "
                    f"{m(lambda v: v['i2t']['r5']):.1f} | {c5:.1f} | {t5 / c5:.1f}x |")
        print(f"{path} [{name}: {model['path']}]")
        print(row(f"mean over the {len(chosen)} locales naming >= {least} of {most}", list(chosen.values())))
        if "en" in langs:
            print(row("English", [langs["en"]]))


if __name__ == "__main__":
    share = 0.8
    args = sys.argv[1:]
    if "--min-share" in args:
        i = args.index("--min-share")
        share = float(args[i + 1])
        del args[i:i + 2]
    for p in args:
        rows(p, share)
