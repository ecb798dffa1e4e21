#!/usr/bin/env bash
# The CPU training step against eager PyTorch, in one run (docs/BENCHMARKS.md):
#   bash bench/train_step_vs_torch.sh [RECIPE.json] [steps] [threads]
# Runs bench_train_step (ours, AdamW and Adafactor) and bench/peer_torch_train.py (Debian's
# python3-torch, AdamW) on the recipe's model and batch, alternating twice, and prints the ratio
# of examples per second (ours / PyTorch, AdamW both sides). Needs a build with
# -DCLIPPO_BUILD_BENCH=ON and `apt-get install python3-torch`.
set -euo pipefail
cd "$(dirname "$0")/.."
RECIPE=${1:-configs/default_model.json}
STEPS=${2:-20}
THREADS=${3:-$(nproc)}
OURS=build/bench/bench_train_step
[ -x "$OURS" ] || { echo "error: $OURS missing: build with -DCLIPPO_BUILD_BENCH=ON" >&2; exit 1; }
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "error: /usr/bin/python3 has no torch: apt-get install python3-torch" >&2; exit 1; }
results=()
for round in 1 2; do
  results+=("$("$OURS" "$RECIPE" "$STEPS" adamw "$THREADS")")
  results+=("$(/usr/bin/python3 bench/peer_torch_train.py "$RECIPE" "$STEPS" "$THREADS")")
  results+=("$("$OURS" "$RECIPE" "$STEPS" adafactor "$THREADS")")
done
printf '%s\n' "${results[@]}"
printf '%s\n' "${results[@]}" | /usr/bin/python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
best = {}
for r in rows:
  k = (r["impl"], r["optimizer"])
  best[k] = max(best.get(k, 0), r["examples_per_second"])
ours, peer = best[("clippo", "adamw")], best[("pytorch-eager", "adamw")]
print(f"best of 2: clippo adamw {ours:.1f} ex/s, clippo adafactor {best[(\"clippo\", \"adafactor\")]:.1f} ex/s, "
      f"pytorch eager adamw {peer:.1f} ex/s; ratio clippo/pytorch (adamw) {ours / peer:.2f}")
'
