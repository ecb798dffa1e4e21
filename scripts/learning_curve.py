#!/usr/bin/python3
"""Learning curves of training runs from their log.jsonl: for every evaluation the trainer
logged, examples seen and mean text->image / image->text recall@1/5 per eval set, plus English.
    /usr/bin/python3 scripts/learning_curve.py runs/default_model [runs/other ...] [--markdown]
A check for reports (docs/REPORTS.md), not part of the product."""
import json
import os
import sys


def curve(run):
  recipe = json.load(open(os.path.join(run, "recipe.json")))
  batch = recipe["batch_size"]
  rows = []
  for line in open(os.path.join(run, "log.jsonl")):
    entry = json.loads(line)
    if "eval" not in entry:
      continue
    for e in entry["eval"]:
      name = os.path.basename(e["data"]["paths"][0].rstrip("/"))
      en = e["per_language"].get("en", {})
      rows.append({"run": os.path.basename(run.rstrip("/")), "step": entry["step"], "examples": entry["step"] * batch,
                   "set": name, "languages": len(e["per_language"]),
                   "t2i_r1": e["mean"]["t2i"]["r1"], "t2i_r5": e["mean"]["t2i"]["r5"],
                   "i2t_r1": e["mean"]["i2t"]["r1"], "i2t_r5": e["mean"]["i2t"]["r5"],
                   "en_t2i_r5": en.get("t2i", {}).get("r5", float("nan")),
                   "chance_t2i_r5": e["mean"].get("chance_t2i", {}).get("r5", float("nan"))})
  return rows


def main():
  runs = [a for a in sys.argv[1:] if not a.startswith("--")]
  rows = [r for run in runs for r in curve(run)]
  if "--markdown" in sys.argv:
    print("| run | step | examples | eval set | languages | mean T→I R@1 | mean T→I R@5 | English T→I R@5 | mean I→T R@5 |")
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
      print(f"| {r['run']} | {r['step']} | {r['examples']:,} | {r['set']} | {r['languages']} | {100 * r['t2i_r1']:.2f} | "
            f"{100 * r['t2i_r5']:.2f} | {100 * r['en_t2i_r5']:.2f} | {100 * r['i2t_r5']:.2f} |")
  else:
    for r in rows:
      print(json.dumps(r))


if __name__ == "__main__":
  main()
