#!/usr/bin/env python3
"""Builds the small real-MNIST fixture in tests/data/mnist-fixture/.

The selection is a fixed rule over the official file order, so re-running the script on any
correct copy of MNIST reproduces the committed files byte for byte:

  train: the first 80 images of digit 0, the first 80 of digit 1, the first 5 of each of 2..9
  test:  the first 30 images of digit 0, the first 30 of digit 1, the first 5 of each of 2..9

Selected images keep their original relative order. Output is gzipped IDX with a zero time
stamp and no file name in the gzip header, so the bytes depend only on the pixels.

Usage: scripts/make_fixture.py [MNIST_DIR [OUT_DIR]]
  MNIST_DIR defaults to data/mnist (as filled by scripts/fetch_data.sh); gzipped or raw
  IDX files are accepted. OUT_DIR defaults to tests/data/mnist-fixture.
Plain python3 only (gzip, struct).
"""
import gzip
import os
import struct
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUOTAS = {
    "train": {0: 80, 1: 80, **{d: 5 for d in range(2, 10)}},
    "t10k": {0: 30, 1: 30, **{d: 5 for d in range(2, 10)}},
}


def read_bytes(folder, stem):
    for name, opener in ((stem + ".gz", gzip.open), (stem, open)):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            with opener(path, "rb") as f:
                return f.read()
    sys.exit(f"make_fixture: neither {stem}.gz nor {stem} found in {folder}")


def write_gz(path, payload):
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
            f.write(payload)


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "data", "mnist")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(REPO, "tests", "data", "mnist-fixture")
    os.makedirs(out, exist_ok=True)
    for split, quota in QUOTAS.items():
        images = read_bytes(src, f"{split}-images-idx3-ubyte")
        labels = read_bytes(src, f"{split}-labels-idx1-ubyte")
        magic, n, rows, cols = struct.unpack(">IIII", images[:16])
        lmagic, ln = struct.unpack(">II", labels[:8])
        if magic != 0x803 or lmagic != 0x801 or n != ln or (rows, cols) != (28, 28):
            sys.exit(f"make_fixture: {src} does not look like MNIST ({split})")
        size = rows * cols
        taken = {d: 0 for d in quota}
        picked = []
        for i, digit in enumerate(labels[8 : 8 + n]):
            if taken[digit] < quota[digit]:
                taken[digit] += 1
                picked.append(i)
        if taken != quota:
            sys.exit(f"make_fixture: not enough images per digit in {split}: {taken}")
        pixels = b"".join(images[16 + i * size : 16 + (i + 1) * size] for i in picked)
        digits = bytes(labels[8 + i] for i in picked)
        write_gz(os.path.join(out, f"{split}-images-idx3-ubyte.gz"),
                 struct.pack(">IIII", 0x803, len(picked), rows, cols) + pixels)
        write_gz(os.path.join(out, f"{split}-labels-idx1-ubyte.gz"),
                 struct.pack(">II", 0x801, len(picked)) + digits)
        print(f"{split}: {len(picked)} images, indices {picked[0]}..{picked[-1]}")


if __name__ == "__main__":
    main()
