#!/usr/bin/python3
"""A weighted average of model files of one architecture (a "model soup"), for probing whether
averaging a continued run with its starting point generalises better. Not part of the product.
Arrays are averaged in their stored dtype (float16 or float32); clippo_meta comes from the first.
    /usr/bin/python3 scripts/probes/average_models.py OUT.npz 0.5,0.5 A.npz B.npz
"""
import struct
import sys
import zipfile


def split_npy(b):
    version = b[6]
    header_len = struct.unpack("<H", b[8:10])[0] if version == 1 else struct.unpack("<I", b[8:12])[0]
    start = (10 if version == 1 else 12) + header_len
    return b[:start], eval(b[start - header_len:start].decode()), b[start:]


def main(out, weights, paths):
    if len(weights) != len(paths) or abs(sum(weights) - 1) > 1e-9:
        sys.exit("one weight per model, summing to 1")
    inputs = [zipfile.ZipFile(p) for p in paths]
    with zipfile.ZipFile(out, "w") as z:
        for name in inputs[0].namelist():
            first = inputs[0].read(name)
            head, header, data = split_npy(first)
            code = {"<f2": "e", "<f4": "f"}.get(header["descr"])
            if code is None or name.startswith("clippo_meta"):
                z.writestr(name, first)
                continue
            count = len(data) // struct.calcsize(code)
            total = [0.0] * count
            for w, model in zip(weights, inputs):
                _, h, d = split_npy(model.read(name))
                if h["descr"] != header["descr"] or h["shape"] != header["shape"]:
                    sys.exit(f"{name}: the models differ in dtype or shape")
                for i, v in enumerate(struct.unpack(f"<{count}{code}", d)):
                    total[i] += w * v
            z.writestr(name, head + struct.pack(f"<{count}{code}", *total))
    print("wrote", out)


if __name__ == "__main__":
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    main(sys.argv[1], [float(w) for w in sys.argv[2].split(",")], sys.argv[3:])
