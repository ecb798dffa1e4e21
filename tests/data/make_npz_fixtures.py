#!/usr/bin/python3
"""NumPy-written .npz files for the npz reader test (np.savez emits zip64 records;
np.savez_compressed deflates). Regenerate: /usr/bin/python3 tests/data/make_npz_fixtures.py tests/data/npz
"""
import os
import sys

import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
arrays = {
    "params/img/embedding/kernel": np.arange(2 * 2 * 3 * 4, dtype=np.float32).reshape(2, 2, 3, 4) / 7,
    "params/t": np.array([np.log(10.0)], dtype=np.float32),
    "half": np.array([1.0, -2.5, 65504.0, 6e-8, 0.0], dtype=np.float16),
    "int64": np.array([[1, -2], [3, 4]], dtype=np.int64),
    "scalar": np.array(3.5, dtype=np.float64),
    "empty": np.zeros((0, 3), dtype=np.float32),
}
np.savez(os.path.join(out, "stored.npz"), **arrays)
np.savez_compressed(os.path.join(out, "deflated.npz"), **arrays)
print("wrote", out)
