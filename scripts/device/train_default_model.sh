#!/usr/bin/env bash
# On the lent GPU machine (one H200): the default model's GPU run as one command that fits the
# device time. Unpacks the carried libraries and corpus, builds clippo-train against PyTorch's
# CUDA LibTorch (-DCLIPPO_TRAINER_ONLY=ON), measures this machine's training speed with a short
# probe, sizes the run to the time left (total_steps, warm-up, evaluation interval), trains
# configs/default_model_gpu.json, and leaves in $OUT what comes back:
#   steps.log (timeline), train.log, log.jsonl (losses and held-out evaluations), recipe.json
#   (the run's, as sized), train_summary.json, and model.npz (float16) -- or, had the time run
#   out first, the last checkpoint's float32 model split in ckpt_model.npz.part-*.
# Prepared here (Debian):
#   bash scripts/device/fetch_deps.sh trainer && bash scripts/device/pack_training_corpus.sh
# Run there, carrying .deps:  bash scripts/device/train_default_model.sh
# CLIPPO_GPU_BUDGET_S (default 540) bounds the whole script. For a rehearsal on this CPU:
#   CLIPPO_TRAIN_BIN=build-trainer/api/cli/clippo-train CLIPPO_GPU_BUDGET_S=150 \
#   CLIPPO_RECIPE_OVERRIDES='{"device":"cpu","precision":"float32","batch_size":32}' OUT=/tmp/rehearsal \
#   bash scripts/device/train_default_model.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$(date +%s)
budget=${CLIPPO_GPU_BUDGET_S:-540}
OUT=${OUT:-runs/device_out}
run_dir=runs/default_model_gpu
mkdir -p "$OUT"
elapsed() { echo $(($(date +%s) - start)); }
say() { echo "[$(elapsed) s] $*" | tee -a "$OUT/steps.log"; }

if [ -z "${CLIPPO_TRAIN_BIN:-}" ]; then
  bash scripts/device/prepare.sh
  # shellcheck disable=SC1091  # written by prepare.sh
  source .deps/env.sh
  rm -rf data/gpu_corpus && mkdir -p data && tar -C data -xJf .deps/gpu_corpus.tar.xz
  say "libraries, fonts and corpus unpacked; $(nproc) cores"
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | tee -a "$OUT/steps.log" || true
  if ! CLIPPO_JOBS=$(nproc) bash scripts/build_gpu.sh -DCLIPPO_TRAINER_ONLY=ON > "$OUT/build.log" 2>&1; then
    tail -60 "$OUT/build.log"
    say "build failed (build.log)"
    exit 1
  fi
  rm -f "$OUT/build.log"
  CLIPPO_TRAIN_BIN=build-gpu/api/cli/clippo-train
  say "built $CLIPPO_TRAIN_BIN"
fi

# The probe: the run's own recipe for 60 steps (no evaluation), to measure examples per second.
python3 - configs/default_model_gpu.json "$OUT/probe_recipe.json" "${CLIPPO_RECIPE_OVERRIDES:-{\}}" <<'PY'
import json, sys
recipe = json.load(open(sys.argv[1]))
recipe.update(json.loads(sys.argv[3]))
recipe.update({"total_steps": 1000000, "log_every_steps": 5, "checkpoint_every_steps": 0,
               "eval": {"data": [], "every_steps": 0}, "out_dir": "/tmp/clippo_probe"})
json.dump(recipe, open(sys.argv[2], "w"), indent=2)
PY
rm -rf /tmp/clippo_probe
"$CLIPPO_TRAIN_BIN" train --config "$OUT/probe_recipe.json" --no-resume --max-steps-this-run 60 > /dev/null 2> "$OUT/train.log" ||
  { tail -30 "$OUT/train.log"; say "probe failed"; exit 1; }
rm -f "$OUT/probe_recipe.json"

# Size the run: the time left, less a reserve for start-up, evaluations and the final save.
reserve=${CLIPPO_GPU_RESERVE_S:-45}
left=$((budget - $(elapsed) - reserve))
python3 - configs/default_model_gpu.json "$OUT/recipe_input.json" "${CLIPPO_RECIPE_OVERRIDES:-{\}}" \
  /tmp/clippo_probe/log.jsonl "$left" <<'PY' | tee -a "$OUT/steps.log"
import json, statistics, sys
recipe = json.load(open(sys.argv[1]))
recipe.update(json.loads(sys.argv[3]))
rates = [json.loads(l)["examples_per_second"] for l in open(sys.argv[4]) if '"examples_per_second"' in l]
rates = [r for r in rates[len(rates) // 2:]]  # the second half: past start-up and the first kernels
rate = statistics.median(rates)
left = float(sys.argv[5])
steps = max(20, int(rate * left / recipe["batch_size"]))
recipe["total_steps"] = steps
recipe["schedule"]["warmup_steps"] = max(10, steps // 20)
recipe["eval"]["every_steps"] = max(10, steps // 6)
recipe["checkpoint_every_steps"] = max(10, steps // 10)
json.dump(recipe, open(sys.argv[2], "w"), indent=2)
print(f"probe: median {rate:.0f} examples/s over its last {len(rates)} logged steps; "
      f"{left:.0f} s left -> {steps} steps of {recipe['batch_size']} ({steps * recipe['batch_size']} examples)")
PY

say "training"
rm -rf "$run_dir"
status=0
"$CLIPPO_TRAIN_BIN" train --config "$OUT/recipe_input.json" --out "$run_dir" --no-resume \
  --max-seconds-this-run $((left + 20)) --json > "$OUT/train_summary.json" 2>> "$OUT/train.log" || status=$?
rm -f "$OUT/recipe_input.json"
say "training ended (exit $status)"
cp "$run_dir/log.jsonl" "$run_dir/recipe.json" "$OUT/" 2>/dev/null || true
if [ -f "$run_dir/model.npz" ]; then
  cp "$run_dir/model.npz" "$OUT/model.npz"
  say "model.npz: $(du -h "$OUT/model.npz" | cut -f1)"
elif [ -f "$run_dir/checkpoint.json" ]; then
  ckpt="$run_dir/$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dir"])' "$run_dir/checkpoint.json")"
  split -b 15m "$ckpt/model.npz" "$OUT/ckpt_model.npz.part-"
  say "not finished: the checkpoint $ckpt's model split into $OUT/ckpt_model.npz.part-*"
fi
tail -5 "$OUT/train.log"
exit "$status"
