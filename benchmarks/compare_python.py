#!/usr/bin/python3
"""Side-by-side speed of gad and our PyTorch mirrors of the reference training loops.

Runs the C++ benchmark and the Python mirror alternately, ROUNDS times, with the same thread
count, and prints per round and as a median: milliseconds per training iteration and per
scoring call, and the ratio Python / C++ (above 1: gad is faster). Alternating in one go keeps
the two sides under the same machine load, which on a shared machine matters more than any
absolute number.

    /usr/bin/python3 benchmarks/compare_python.py [--model algan|alad] [--build build]
                                                  [--threads 2] [--rounds 5] [--no-sn]
                                                  [--variant reference|fused|lean|bf16|lean_bf16]

ALGAN: batch 512, scoring 2048 images; --no-sn compares the variant without spectral norm.
--variant picks gad's side (the Python side is always the reference loop in float32): the
reference loop, one D call per D step (fused), that plus one set of fakes per iteration (lean),
or either loop with bfloat16 matrix products (bf16 scoring goes with both); for ALAD,
reference or bf16 (bfloat16 convolutions and matrix products, training and scoring).
ALAD: batch 32 with D_zz in the cycle loss and no spectral norm (alad<none, fm, with_dzz>, the
reference trains D_zz in every configuration), scoring 512 images with the fm rule.

Needs Debian's python3-torch (the same ATen 1.13.1 kernels as the libtorch-dev gad builds on).
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent


TRAIN_NAMES = {"reference": "spectral", "fused": "spectral_fused", "lean": "spectral_lean",
               "bf16": "spectral_bf16", "lean_bf16": "spectral_lean_bf16"}


def cpp_round(bench, threads, model, spectral, variant):
    if model == "algan" and not spectral:
        pattern = "^algan_(train|score)/none(/manual_time)?$"
    elif model == "algan":
        score = "spectral_bf16" if variant.endswith("bf16") else "spectral"
        pattern = f"^(algan_train/{TRAIN_NAMES[variant]}/manual_time|algan_score/{score})$"
    elif variant == "bf16":
        pattern = "^(alad_train/none_dzz_bf16/manual_time|alad_score/none_fm_bf16)$"
    else:
        pattern = "^(alad_train/none_dzz/manual_time|alad_score/none_fm)$"
    env = dict(os.environ, GAD_BENCH_THREADS=str(threads))
    out = subprocess.run(
        [bench, f"--benchmark_filter={pattern}", "--benchmark_min_time=2",
         "--benchmark_format=json"],
        env=env, check=True, capture_output=True, text=True).stdout
    result = {}
    for b in json.loads(out)["benchmarks"]:
        key = "train" if "_train/" in b["name"] else "score"
        scale = {"ms": 1.0, "us": 1e-3, "ns": 1e-6, "s": 1e3}[b["time_unit"]]
        result[key] = b["real_time"] * scale
    return result


def python_round(threads, model, spectral):
    cmd = ["/usr/bin/python3", str(HERE / "python" / f"{model}_iteration.py"),
           "--threads", str(threads), "--iterations", "15" if model == "algan" else "6"]
    if model == "algan" and not spectral:
        cmd.append("--no-sn")
    out = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    score_key = "score_ms_per_2048" if model == "algan" else "score_ms_per_512"
    return {"train": out["train_ms_per_iteration"], "score": out[score_key]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--model", choices=("algan", "alad"), default="algan")
    parser.add_argument("--no-sn", action="store_true", help="ALGAN only")
    parser.add_argument("--variant", choices=sorted(TRAIN_NAMES), default="reference",
                        help="gad's loop and precision (ALAD: reference or bf16)")
    args = parser.parse_args()
    if args.variant != "reference" and args.no_sn:
        sys.exit("--variant applies to ALGAN with spectral norm, and bf16 to ALAD")
    if args.model == "alad" and args.variant not in ("reference", "bf16"):
        sys.exit("ALAD has the variants reference and bf16")
    bench = str(pathlib.Path(args.build) / "benchmarks" / "bench_detectors")
    if not os.access(bench, os.X_OK):
        sys.exit(f"{bench} not found: build the project first (bash scripts/test.sh)")
    spectral = not args.no_sn and args.model == "algan"
    batch, scored = (512, 2048) if args.model == "algan" else (32, 512)

    rows = []
    print(f"{args.model.upper()}-MNIST, batch {batch}, "
          f"{'spectral norm' if spectral else 'no spectral norm'}, {args.threads} threads, "
          f"gad variant {args.variant}; ms (python / c++ = ratio)")
    for r in range(args.rounds):
        cpp = cpp_round(bench, args.threads, args.model, spectral, args.variant)
        py = python_round(args.threads, args.model, spectral)
        rows.append((cpp, py))
        print(f"round {r + 1}: train {py['train']:.1f} / {cpp['train']:.1f} = "
              f"{py['train'] / cpp['train']:.2f}x   score {py['score']:.2f} / {cpp['score']:.2f} = "
              f"{py['score'] / cpp['score']:.2f}x", flush=True)
    for key, what in (("train", "training iteration"), ("score", f"scoring {scored} images")):
        ratio = statistics.median(py[key] / cpp[key] for cpp, py in rows)
        print(f"median {what}: python {statistics.median(py[key] for _, py in rows):.2f} ms, "
              f"c++ {statistics.median(cpp[key] for cpp, _ in rows):.2f} ms, ratio {ratio:.2f}x")


if __name__ == "__main__":
    main()
