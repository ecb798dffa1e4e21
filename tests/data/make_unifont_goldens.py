#!/usr/bin/python3
"""Golden images for the Unifont renderer: a NumPy transliteration of big_vision's
`render_unifont` (big_vision/pp/proj/clippo/pp_ops.py), op for op, including its float32
row assignment and uint8 brightness arithmetic. Independent of the C++ code under test.

Regenerate (Debian's python3 with numpy; reads Debian's unifont.hex, plane 0 only):
    /usr/bin/python3 tests/data/make_unifont_goldens.py tests/data/render
Writes <name>.gray (224*224 bytes, one channel; the renderer's R=G=B) and goldens.json
(name -> text as UTF-8 bytes in hex, so invalid UTF-8 survives).
"""
import json
import os
import sys

import numpy as np

UNIFONT_HEX = "/usr/share/unifont/unifont.hex"


def load_bit_embedding(path):
  # As big_vision: 0x200000 x 32 bytes; 8-wide glyphs fill the even bytes (left half).
  bit_embedding = np.zeros((0x200000, 32), dtype=np.uint8)
  colpattern = {64: range(32), 32: sorted(tuple(range(0, 32, 4)) + tuple(range(2, 32, 4)))}
  with open(path) as f:
    for line in f:
      row = int(line[0:4], 16)
      hexbits = line[5:-1]
      bit_embedding[row, colpattern[len(hexbits)]] = bytearray.fromhex(hexbits)
  return bit_embedding


def render_unifont(text_bytes, table, image_size=224, max_chars=768, background_brightness=127,
                   text_brightness=0, lower=True, spacing=1, min_width=4):
  if lower:  # tf.strings.lower with encoding='': ASCII bytes only
    text_bytes = bytes(b + 32 if 65 <= b <= 90 else b for b in text_bytes)
  ids = [ord(c) for c in text_bytes.decode("utf-8", errors="replace")]  # maximal subparts
  if max_chars:
    ids = ids[:max_chars]
  embed = table[np.array(ids, dtype=np.int64)]                       # [n, 32]
  bits = np.unpackbits(embed, axis=1, bitorder="big")                # MSB first, as the TF ops
  letters = bits.reshape(len(ids), 16, 16)

  def trim_letter(letter):
    v = letter.max(axis=0)
    has_pixels = np.nonzero(v)[0]
    no_pixels = v.max() == 0
    first = 0 if no_pixels else has_pixels[0]
    last = 0 if no_pixels else has_pixels[-1]
    first = max(first - spacing, 0)
    last = max(last + spacing, first + min_width)
    return letter[:, first:last].T                                   # [w, 16], slice clips at 16

  rendered = [trim_letter(l) for l in letters]
  widths = np.array([r.shape[0] for r in rendered], dtype=np.int64)
  max_letter_width = widths.max()
  row_lengths = np.cumsum(widths).astype(np.float32)
  div = np.float32(image_size - max_letter_width)
  row_idx = np.floor(row_lengths / div).astype(np.int64)             # float32 division
  n_rows = row_idx.max() + 1
  rows = []
  for r in range(n_rows):
    members = [rendered[i] for i in range(len(ids)) if row_idx[i] == r]
    rows.append(np.concatenate(members, axis=0) if members else np.zeros((0, 16), np.uint8))
  max_row = max(x.shape[0] for x in rows)
  padded_rows = [np.pad(x, ((0, max_row - x.shape[0]), (0, 0))) for x in rows]
  trimmed = np.stack(padded_rows)                                    # [rows, width, 16]
  trimmed = trimmed.transpose(0, 2, 1).reshape(-1, max_row)[:image_size]
  padded = np.pad(trimmed, ((0, image_size - trimmed.shape[0]), (0, image_size - trimmed.shape[1])))
  img = padded.astype(np.uint8)
  img = (img * np.uint8((text_brightness - background_brightness) % 256)).astype(np.uint8)
  img = (img + np.uint8(background_brightness)).astype(np.uint8)   # uint8 wrap-around, as TF
  return img


CASES = {
    "ascii": b"Hello, World! CLIPPO renders Text as PIXELS: 0123456789 {}[]()<>?/\\|~",
    "multilingual": ("Ünïcödé ÄÖÜ Straße ПРИВЕТ мир 你好世界 こんにちは 안녕하세요 مرحبا بالعالم "
                     "שלום עולם नमस्ते दुनिया ภาษาไทย Ελληνικά ქართული").encode(),
    "wrap_and_crop": ("The quick brown fox jumps over the lazy dog. 敏捷的棕色狐狸跳过了懒狗。" * 20).encode(),
    "wide_only": ("中文字" * 60).encode(),
    "invalid_utf8": b"bad \xff\xfe bytes \xe4\xb8 then \xed\xa0\x80 end \xf0\x9f\x98",
    "spaces_punct": b"   ...   ,,, !!! ---   ''' ```",
    "max_chars_cut": ("abcdefghij" * 100).encode(),
}


def main():
  out_dir = sys.argv[1]
  os.makedirs(out_dir, exist_ok=True)
  table = load_bit_embedding(UNIFONT_HEX)
  manifest = {}
  for name, text in CASES.items():
    img = render_unifont(text, table)
    assert img.shape == (224, 224) and img.dtype == np.uint8
    img.tofile(os.path.join(out_dir, name + ".gray"))
    manifest[name] = text.hex()
  with open(os.path.join(out_dir, "goldens.json"), "w") as f:
    json.dump(manifest, f, indent=1, sort_keys=True)
  print(f"wrote {len(manifest)} goldens to {out_dir}")


if __name__ == "__main__":
  main()
