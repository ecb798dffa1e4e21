#!/usr/bin/env python3
"""Parity fixtures: big_vision's own ViT + one-tower CLIPPO (JAX/flax), small random models,
their .npz checkpoints and embeddings of fixed inputs, for tests/core/model/parity_test.cpp.

Runs where JAX and flax are installed (the GPU machine), with big_vision's
models/vit.py and models/proj/clippo/one_tower.py on PYTHONPATH; their TensorFlow-dependent
imports (big_vision.utils, big_vision.models.common: used only by checkpoint loading) are
replaced by empty stand-ins. Usage:
    PYTHONPATH=<dir holding big_vision/> python3 tests/data/make_model_parity.py OUT_DIR [--b16 N]
With --b16 N it also writes a random B/16 model at 224 px and the embeddings of N images.
Computation is pinned to float32 on the CPU backend unless JAX_PLATFORMS says otherwise, so
the reference is not a TF32/bf16 approximation.
"""
import json
import os
import sys
import types

import numpy as np

for name in ("big_vision.utils", "big_vision.models.common"):
  sys.modules[name] = types.ModuleType(name)

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

jax.config.update("jax_default_matmul_precision", "highest")
from big_vision.models.proj.clippo import one_tower  # noqa: E402

CASES = {
    # name: (image model config, out_dim, image size)
    "map_learn": (dict(variant="mu/16", depth=2, pool_type="map", head_zeroinit=False), 24, 64),
    "gap_sincos_scan": (dict(variant="mu/16", depth=3, pool_type="gap", posemb="sincos2d", scan=True), 0, 64),
    "tok_rep": (dict(variant="mu/8", depth=2, pool_type="tok", rep_size=16, head_zeroinit=False), 20, 32),
}


def flatten(tree, prefix=""):
  out = {}
  for k, v in tree.items():
    key = f"{prefix}{k}"
    if hasattr(v, "items"):
      out.update(flatten(v, key + "/"))
    else:
      out[key] = np.asarray(v)
  return out


def make(image_cfg, out_dim, size, n_images, seed):
  model = one_tower.Model(image=image_cfg, out_dim=out_dim)
  rng = np.random.default_rng(seed)
  images_u8 = rng.integers(0, 256, (n_images, size, size, 3), dtype=np.uint8)
  x = -1.0 + (images_u8.astype(np.float32) / 255.0) * 2.0  # big_vision value_range(-1, 1)
  params = model.init(jax.random.PRNGKey(seed), jnp.asarray(x[:1]))["params"]
  # Perturb every parameter (zeros and ones included) so each one changes the output.
  leaves, treedef = jax.tree_util.tree_flatten(params)
  keys = jax.random.split(jax.random.PRNGKey(seed + 1), len(leaves))
  leaves = [l + 0.05 * jax.random.normal(k, l.shape, l.dtype) for l, k in zip(leaves, keys)]
  params = jax.tree_util.tree_unflatten(treedef, leaves)
  zimg, _, out = model.apply({"params": params}, jnp.asarray(x))
  arrays = {"params/" + k: v for k, v in flatten(jax.device_get(params)).items()}
  return arrays, images_u8, np.asarray(zimg, np.float32), float(np.asarray(out["t"]).reshape(-1)[0])


def write(out_dir, name, arrays, images, z):
  np.savez(os.path.join(out_dir, f"{name}.npz"), **arrays)
  images.tofile(os.path.join(out_dir, f"{name}_images.u8"))
  z.tofile(os.path.join(out_dir, f"{name}_embeddings.f32"))


def main():
  out_dir = sys.argv[1]
  os.makedirs(out_dir, exist_ok=True)
  manifest = {"jax": jax.__version__, "backend": jax.default_backend(), "cases": {}}
  for i, (name, (cfg, out_dim, size)) in enumerate(CASES.items()):
    arrays, images, z, t = make(cfg, out_dim, size, 4, 100 + i)
    write(out_dir, name, arrays, images, z)
    manifest["cases"][name] = {"config": cfg, "out_dim": out_dim, "image_size": size, "n_images": 4,
                               "dim": int(z.shape[1]), "temperature": t}
    print(name, "params", sum(a.size for a in arrays.values()), "dim", z.shape[1], "t", t)
  if "--b16" in sys.argv:
    n = int(sys.argv[sys.argv.index("--b16") + 1])
    arrays, images, z, _ = make(dict(variant="B/16", pool_type="map", head_zeroinit=False), 768, 224, n, 7)
    write(out_dir, "b16", arrays, images, z)
    manifest["b16"] = {"n_images": n, "dim": 768, "image_size": 224}
    print("b16 params", sum(a.size for a in arrays.values()))
  with open(os.path.join(out_dir, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)


if __name__ == "__main__":
  main()
