#!/usr/bin/env bash
# The CPU training step against eager PyTorch, in one run (docs/BENCHMARKS.md):
#   bash bench/train_step_vs_torch.sh [RECIPE.json] [steps]
# Runs bench_train_step (ours, AdamW and Adafactor) and bench/peer_torch_train.py (Debian's
# python3-torch, AdamW) on the recipe's model and batch, twice each, first with each framework's
# default threading and then with one intra-op thread each, and prints the ratio of examples per
# second (ours / PyTorch, AdamW on both sides, best of two). Needs a build with
# -DCLIPPO_BUILD_BENCH=ON and `apt-get install python3-torch`.
set -euo pipefail
cd "$(dirname "$0")/.."
RECIPE=${1:-configs/default_model.json}
STEPS=${2:-20}
OURS=build/bench/bench_train_step
[ -x "$OURS" ] || { echo "error: $OURS missing: build with -DCLIPPO_BUILD_BENCH=ON" >&2; exit 1; }
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "error: /usr/bin/python3 has no torch: apt-get install python3-torch" >&2; exit 1; }
for threads in default 1; do
  t=(); [ "$threads" = default ] || t=("$threads")
  results=()
  for round in 1 2; do
    results+=("$("$OURS" "$RECIPE" "$STEPS" adamw "${t[@]}")")
    results+=("$(/usr/bin/python3 bench/peer_torch_train.py "$RECIPE" "$STEPS" "${t[@]}")")
    results+=("$("$OURS" "$RECIPE" "$STEPS" adafactor "${t[@]}")")
  done
  printf '%s\n' "${results[@]}"
  printf '%s\n' "${results[@]}" | THREADS=$threads /usr/bin/python3 -c '
import json, os, sys
rows = [json.loads(l) for l in sys.stdin]
best = {}
for r in rows:
  k = r["impl"] + " " + r["optimizer"]
  best[k] = max(best.get(k, 0), r["examples_per_second"])
ours, peer, ada = best["clippo adamw"], best["pytorch-eager adamw"], best["clippo adafactor"]
print("threads %s, best of 2: clippo adamw %.1f ex/s, clippo adafactor %.1f ex/s, pytorch eager adamw %.1f ex/s; "
      "ratio clippo/pytorch (adamw) %.2f" % (os.environ["THREADS"], ours, ada, peer, ours / peer))
'
done
