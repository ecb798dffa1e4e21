#!/usr/bin/python3
"""The CPU peer for bench_model: a timm-style ViT (fused qkv Linear, Conv2d patch embedding,
LayerNorm eps 1e-6, tanh GELU, [cls] pooling, head) in eager PyTorch, fp32, inference_mode.
Debian's python3-torch runs on the same LibTorch and BLAS as our binary, so the comparison is
the framework and model code, not the kernels.
    /usr/bin/python3 bench/peer_torch_cpu.py [variants] [batches] [seconds]
"""
import sys
import time

import torch
from torch import nn

VARIANTS = {"Ti": (192, 12, 768, 3), "S": (384, 12, 1536, 6), "B": (768, 12, 3072, 12)}


class Block(nn.Module):
  def __init__(self, w, m, h):
    super().__init__()
    self.h = h
    self.norm1 = nn.LayerNorm(w, eps=1e-6)
    self.qkv = nn.Linear(w, 3 * w)
    self.proj = nn.Linear(w, w)
    self.norm2 = nn.LayerNorm(w, eps=1e-6)
    self.fc1 = nn.Linear(w, m)
    self.fc2 = nn.Linear(m, w)

  def forward(self, x):
    n, l, w = x.shape
    q, k, v = self.qkv(self.norm1(x)).view(n, l, 3, self.h, w // self.h).permute(2, 0, 3, 1, 4)
    a = torch.softmax((q * (w // self.h) ** -0.5) @ k.transpose(-2, -1), dim=-1) @ v
    x = x + self.proj(a.transpose(1, 2).reshape(n, l, w))
    return x + self.fc2(nn.functional.gelu(self.fc1(self.norm2(x)), approximate="tanh"))


class ViT(nn.Module):
  def __init__(self, w, d, m, h, patch=16, size=224, out_dim=None):
    super().__init__()
    self.patch = nn.Conv2d(3, w, patch, patch)
    self.cls = nn.Parameter(torch.zeros(1, 1, w))
    self.pos = nn.Parameter(torch.randn(1, (size // patch) ** 2 + 1, w) * 0.02)
    self.blocks = nn.Sequential(*[Block(w, m, h) for _ in range(d)])
    self.norm = nn.LayerNorm(w, eps=1e-6)
    self.head = nn.Linear(w, out_dim or w)

  def forward(self, x):
    x = self.patch(x).flatten(2).transpose(1, 2)
    x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], 1) + self.pos
    return self.head(self.norm(self.blocks(x))[:, 0])


def main():
  variants = (sys.argv[1] if len(sys.argv) > 1 else "Ti/16,S/16,B/16").split(",")
  batches = [int(b) for b in (sys.argv[2] if len(sys.argv) > 2 else "1,32").split(",")]
  seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 4.0
  print(f"peer_torch_cpu: torch {torch.__version__}, {torch.get_num_threads()} intra-op threads")
  print(f"{'variant':8} {'batch':>6} {'images/s':>12}")
  for variant in variants:
    model = ViT(*VARIANTS[variant.split("/")[0]]).eval()
    for batch in batches:
      x = torch.rand(batch, 3, 224, 224) * 2 - 1
      with torch.inference_mode():
        for _ in range(3):
          model(x)
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds or n < 3:
          model(x)
          n += 1
        dt = time.perf_counter() - t0
      print(f"{variant:8} {batch:>6} {n * batch / dt:>12.1f}")


if __name__ == "__main__":
  main()
