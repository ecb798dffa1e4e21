#!/usr/bin/python3
"""Image fixtures for the decoder and resize tests, and resize goldens from a NumPy port of
TensorFlow's ResizeBilinear CPU kernel (half_pixel_centers=True; float32, one op at a time).

Regenerate (Debian's python3 with numpy and PIL):
    /usr/bin/python3 tests/data/make_image_fixtures.py tests/data/images
"""
import io
import os
import sys

import numpy as np
from PIL import Image


def tf_resize_bilinear_uint8(img, out_h, out_w):
  """tf.image.resize(img, (out_h, out_w), 'bilinear', antialias=False) then clip + cast uint8."""
  in_h, in_w, _ = img.shape
  if (in_h, in_w) == (out_h, out_w):
    return img.copy()

  def weights(out_size, in_size):
    scale = np.float32(in_size) / np.float32(out_size)
    i = np.arange(out_size, dtype=np.float32)
    src = (i + np.float32(0.5)) * scale - np.float32(0.5)
    lower = np.maximum(np.floor(src).astype(np.int64), 0)
    upper = np.minimum(np.ceil(src).astype(np.int64), in_size - 1)
    lerp = (src - np.floor(src)).astype(np.float32)
    return lower, upper, lerp

  yl, yu, ylerp = weights(out_h, in_h)
  xl, xu, xlerp = weights(out_w, in_w)
  f = img.astype(np.float32)
  tl = f[yl][:, xl]; tr = f[yl][:, xu]; bl = f[yu][:, xl]; br = f[yu][:, xu]
  xlerp = xlerp[None, :, None]; ylerp = ylerp[:, None, None]
  top = tl + (tr - tl) * xlerp
  bottom = bl + (br - bl) * xlerp
  out = top + (bottom - top) * ylerp
  return np.clip(out, 0, 255).astype(np.uint8)  # tf.cast truncates


def main():
  out = sys.argv[1]
  os.makedirs(out, exist_ok=True)
  rng = np.random.default_rng(20231122)
  # A smooth photo-like 48x64 RGB image: gradients plus noise, so JPEG keeps detail.
  yy, xx = np.mgrid[0:48, 0:64]
  photo = np.stack([xx * 4, yy * 5, (xx + yy) * 2], axis=-1) + rng.integers(0, 24, (48, 64, 3))
  photo = np.clip(photo, 0, 255).astype(np.uint8)
  im = Image.fromarray(photo)
  im.save(os.path.join(out, "photo.png"))
  im.save(os.path.join(out, "photo.jpg"), quality=90)
  im.save(os.path.join(out, "photo.webp"), lossless=True)
  im.save(os.path.join(out, "photo.gif"))
  im.save(os.path.join(out, "photo.bmp"))
  # PIL decodes JPEG with libjpeg's ISLOW DCT: our decoder must agree with accurate_dct.
  np.asarray(Image.open(os.path.join(out, "photo.jpg")).convert("RGB")).tofile(
      os.path.join(out, "photo_jpg_islow.rgb"))
  Image.fromarray(photo).convert("L").save(os.path.join(out, "gray.png"))
  rgba = np.concatenate([photo, rng.integers(0, 256, (48, 64, 1)).astype(np.uint8)], axis=-1)
  Image.fromarray(rgba, "RGBA").save(os.path.join(out, "rgba.png"))
  Image.fromarray(photo).convert("P").save(os.path.join(out, "palette.png"))
  Image.fromarray((photo.astype(np.uint16) * 257)[..., 0]).save(os.path.join(out, "gray16.png"))
  jpg = open(os.path.join(out, "photo.jpg"), "rb").read()
  open(os.path.join(out, "truncated.jpg"), "wb").write(jpg[: len(jpg) // 2])
  png = open(os.path.join(out, "photo.png"), "rb").read()
  open(os.path.join(out, "truncated.png"), "wb").write(png[: len(png) // 2])
  corrupt = bytearray(jpg)
  corrupt[3:100] = bytes(97)  # keep the JPEG magic, wipe the marker segments after it
  open(os.path.join(out, "corrupt.jpg"), "wb").write(bytes(corrupt))
  # Resize goldens: up (48x64 -> 224) and down (a 300x200 noise image -> 224).
  tf_resize_bilinear_uint8(photo, 224, 224).tofile(os.path.join(out, "photo_resized_224.rgb"))
  noise = rng.integers(0, 256, (300, 200, 3)).astype(np.uint8)
  noise.tofile(os.path.join(out, "noise_300x200.rgb"))
  tf_resize_bilinear_uint8(noise, 224, 224).tofile(os.path.join(out, "noise_resized_224.rgb"))
  print("wrote fixtures to", out)


if __name__ == "__main__":
  main()
