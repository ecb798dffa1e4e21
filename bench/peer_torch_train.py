#!/usr/bin/python3
"""The peer of bench_train_step: one CLIPPO training step in eager PyTorch, one tower (images and
rendered text share it), the same architecture as big_vision's vit.py (learned position
embedding, pre-LN blocks, tanh GELU, MAP head, Dense head), the same bidirectional softmax
contrastive loss with a learned temperature, global-norm clipping and AdamW (PyTorch 1.13 has no
Adafactor). Debian's python3-torch runs on the same LibTorch and OpenBLAS as our binary, so the
comparison is framework and model code, not kernels.
    /usr/bin/python3 bench/peer_torch_train.py RECIPE.json [steps] [threads]   (default: PyTorch's own)
Prints one JSON line like bench_train_step.
"""
import json
import sys
import time

import torch
from torch import nn

VARIANTS = {"Ti": (192, 12, 768, 3), "S": (384, 12, 1536, 6), "B": (768, 12, 3072, 12)}


class Mlp(nn.Module):
  def __init__(self, w, m):
    super().__init__()
    self.fc1, self.fc2 = nn.Linear(w, m), nn.Linear(m, w)

  def forward(self, x):
    return self.fc2(nn.functional.gelu(self.fc1(x), approximate="tanh"))


class Block(nn.Module):
  def __init__(self, w, m, h):
    super().__init__()
    self.norm1, self.norm2 = nn.LayerNorm(w, eps=1e-6), nn.LayerNorm(w, eps=1e-6)
    self.attn = nn.MultiheadAttention(w, h, batch_first=True)
    self.mlp = Mlp(w, m)

  def forward(self, x):
    y = self.norm1(x)
    x = x + self.attn(y, y, y, need_weights=False)[0]
    return x + self.mlp(self.norm2(x))


class MapHead(nn.Module):
  def __init__(self, w, m, h):
    super().__init__()
    self.probe = nn.Parameter(torch.randn(1, 1, w) * 0.02)
    self.attn = nn.MultiheadAttention(w, h, batch_first=True)
    self.norm = nn.LayerNorm(w, eps=1e-6)
    self.mlp = Mlp(w, m)

  def forward(self, x):
    p = self.probe.expand(x.shape[0], -1, -1)
    x = self.attn(p, x, x, need_weights=False)[0]
    return (x + self.mlp(self.norm(x)))[:, 0]


class OneTower(nn.Module):
  def __init__(self, w, d, m, h, patch, size, out_dim):
    super().__init__()
    self.patch = nn.Conv2d(3, w, patch, patch)
    self.pos = nn.Parameter(torch.randn(1, (size // patch) ** 2, w) * 0.02)
    self.blocks = nn.Sequential(*[Block(w, m, h) for _ in range(d)])
    self.norm = nn.LayerNorm(w, eps=1e-6)
    self.map = MapHead(w, m, h)
    self.head = nn.Linear(w, out_dim)
    self.t = nn.Parameter(torch.tensor(10.0).log())

  def forward(self, x):  # x: N, H, W, 3 (the layout our trainer feeds)
    x = self.patch(x.permute(0, 3, 1, 2)).flatten(2).transpose(1, 2) + self.pos
    z = self.head(self.map(self.norm(self.blocks(x))))
    return z / (z.norm(dim=-1, keepdim=True) + 1e-8)


def main():
  recipe = json.load(open(sys.argv[1]))
  steps = int(sys.argv[2]) if len(sys.argv) > 2 else 20
  if len(sys.argv) > 3:
    torch.set_num_threads(int(sys.argv[3]))
  m = recipe["model"]
  w, d, mlp, h = VARIANTS[m.get("variant", "B/16").split("/")[0]]
  w, d, mlp, h = m.get("width", w), m.get("depth", d), m.get("mlp_dim", mlp), m.get("num_heads", h)
  patch = m.get("patch_size", int(m.get("variant", "B/16").split("/")[1]))
  size = m.get("image_size", 224)
  torch.manual_seed(0)
  model = OneTower(w, d, mlp, h, patch, size, m.get("out_dim", w))
  opt = torch.optim.AdamW(model.parameters(), lr=recipe["optimizer"].get("lr", 1e-3), weight_decay=1e-4)
  n = recipe["batch_size"]
  x = torch.rand(2 * n, size, size, 3) * 2 - 1
  labels = torch.arange(n)
  clip = recipe["optimizer"].get("grad_clip_norm", 1.0)

  def step():
    opt.zero_grad(set_to_none=False)
    z = model(x)
    logits = z[:n] @ z[n:].t() * model.t.exp()
    loss = (nn.functional.cross_entropy(logits, labels) + nn.functional.cross_entropy(logits.t(), labels)) / 2
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), clip)
    opt.step()
    return loss.item()

  for _ in range(3):
    step()
  t0 = time.perf_counter()
  for _ in range(steps):
    step()
  seconds = time.perf_counter() - t0
  print(json.dumps({"impl": "pytorch-eager", "optimizer": "adamw", "batch": n, "threads": torch.get_num_threads(),
                    "torch": torch.__version__, "examples_per_second": n * steps / seconds,
                    "ms_per_step": 1000 * seconds / steps}))


if __name__ == "__main__":
  main()
