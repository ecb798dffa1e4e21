#!/usr/bin/env python3
"""The GPU peer for bench_model: timm's vit_base_patch16_224 forward in bf16 at a given batch,
eager and torch.compile'd, plus the bf16 matmul ceiling measured in the same run.
    python3 bench/peer_timm.py [batch] [seconds]
Prints one line per case: images/s (or TFLOP/s for the matmul ceiling)."""
import sys
import time

import timm
import torch


def images_per_s(fn, x, seconds):
  with torch.inference_mode():
    for _ in range(5):
      fn(x)
    torch.cuda.synchronize()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
      for _ in range(4):
        fn(x)
      n += 4
      torch.cuda.synchronize()
    return n * x.shape[0] / (time.perf_counter() - t0)


def matmul_tflops(seconds):
  a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
  b = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
  for _ in range(3):
    a @ b
  torch.cuda.synchronize()
  n, t0 = 0, time.perf_counter()
  while time.perf_counter() - t0 < seconds:
    for _ in range(10):
      a @ b
    n += 10
    torch.cuda.synchronize()
  return n * 2 * 8192**3 / (time.perf_counter() - t0) / 1e12


def main():
  batch = int(sys.argv[1]) if len(sys.argv) > 1 else 256
  seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
  torch.backends.cuda.matmul.allow_tf32 = True
  model = timm.create_model("vit_base_patch16_224", pretrained=False).cuda().eval().to(torch.bfloat16)
  x = torch.randn(batch, 3, 224, 224, device="cuda", dtype=torch.bfloat16)
  print(f"peer torch {torch.__version__} timm {timm.__version__} {torch.cuda.get_device_name()}")
  print(f"peer matmul_bf16_8192 {matmul_tflops(seconds):.1f} TFLOP/s")
  print(f"peer timm_vit_b16_eager batch {batch} {images_per_s(model, x, seconds):.1f} images/s")
  compiled = torch.compile(model)
  print(f"peer timm_vit_b16_compiled batch {batch} {images_per_s(compiled, x, seconds):.1f} images/s")


if __name__ == "__main__":
  main()
