#!/usr/bin/env python3
"""Prints the Markdown table of the ten-digit ALAD (or EGBAD) MNIST experiment.

Reads `<runs>/digit<d>/summary.json` written by `alad_mnist --label d` for the GAN model and
`<baseline>/digit<d>/summary.json` for `--model pca`, and puts each digit's score rule next to
the PCA reconstruction baseline on the same split. Digits without a summary are listed as not
run, so a half-finished experiment prints what it has. The runs must agree on the model, its
options and the protocol's seed, or the table would mix experiments: the script stops with a
message when they do not. Standard library only.

    python3 scripts/alad_digit_table.py [--rule l1] out/alad_digits out/pca32
"""
import argparse
import json
import os
import sys

# Where the machine ran, not what was run: allowed to differ between digits.
RUNTIME_KEYS = ("threads", "device")


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        sys.exit(f"alad_digit_table: cannot read {path}: {e}")


def experiment(summary):
    """What must be equal across the digits of one table."""
    options = {k: v for k, v in summary.get("options", {}).items() if k not in RUNTIME_KEYS}
    training = summary.get("training", {})
    return {"model": summary.get("model"), "spectral_norm": summary.get("spectral_norm"),
            "dzz": summary.get("dzz"), "seed": summary.get("seed"),
            "label_meaning": summary.get("label_meaning"), "options": options,
            "epochs": training.get("epochs"), "components": training.get("components"),
            "selection": (summary.get("selection") or {}).get("criterion")}


def collect(folder, what):
    runs, first = {}, None
    for d in range(10):
        path = os.path.join(folder, f"digit{d}", "summary.json")
        s = load(path)
        if s is None:
            continue
        if s.get("label") != d:
            sys.exit(f"alad_digit_table: {path} is a run of label {s.get('label')}, not {d}")
        if first is None:
            first = (path, experiment(s))
        elif experiment(s) != first[1]:
            sys.exit(f"alad_digit_table: {path} is not the same {what} experiment as {first[0]}")
        runs[d] = s
    if first is None:
        sys.exit(f"alad_digit_table: no digit<d>/summary.json under {folder}")
    return runs, first[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("runs", help="folder of the GAN runs (digit0 ... digit9)")
    parser.add_argument("baseline", help="folder of the --model pca runs")
    parser.add_argument("--rule", default="l1", help="score rule of the GAN runs (default l1)")
    args = parser.parse_args()

    runs, setup = collect(args.runs, "GAN")
    pcas, pca_setup = collect(args.baseline, "baseline")
    if pca_setup["model"] != "pca":
        sys.exit(f"alad_digit_table: {args.baseline} holds {pca_setup['model']} runs, not pca")
    if pca_setup["seed"] != setup["seed"]:
        sys.exit("alad_digit_table: the baseline was split with another seed than the runs")
    rule = args.rule
    o = setup["options"]
    print(f"{setup['model']} ({o.get('network')}), spectral norm "
          f"{'on' if setup['spectral_norm'] else 'off'}, D_zz {'on' if setup['dzz'] else 'off'}, "
          f"{setup['epochs']} epochs, batch {o.get('batch_size')}, "
          f"{o.get('compute_precision')}, seed {setup['seed']}; "
          f"rule {rule} against PCA-{pca_setup['components']} L1")
    if setup["selection"]:
        print(f"weights of the epoch with the lowest {setup['selection']} on held-out training "
              "normals")
    print()
    print(f"| {setup['label_meaning']} | {rule} AUROC | {rule} AP | {rule} F1 @ true ratio "
          "| PCA AUROC | PCA F1 @ true ratio | beats PCA (AUROC and F1) |")
    print("|---|---:|---:|---:|---:|---:|---|")
    beaten = []
    for d in range(10):
        pca = pcas.get(d)
        p = pca["results"]["pca-l1"] if pca else None
        pca_cells = (f"{p['auroc']:.4f} | {p['at_true_ratio']['f1']:.4f}" if p else "not run | ")
        if d not in runs:
            print(f"| {d} | not run | | | {pca_cells} | |")
            continue
        results = runs[d]["results"]
        if rule not in results:
            sys.exit(f"alad_digit_table: digit {d} has no rule '{rule}' "
                     f"(it has {', '.join(results)})")
        r = results[rule]
        if pca and pca["protocol"] != runs[d]["protocol"]:
            sys.exit(f"alad_digit_table: digit {d}: the baseline's split is not the run's")
        verdict = ""
        if p:
            beats = r["auroc"] > p["auroc"] and r["at_true_ratio"]["f1"] > p["at_true_ratio"]["f1"]
            verdict = "yes" if beats else "no"
            if beats:
                beaten.append(d)
        print(f"| {d} | {r['auroc']:.4f} | {r['average_precision']:.4f} | "
              f"{r['at_true_ratio']['f1']:.4f} | {pca_cells} | {verdict} |")
    print(f"\n{len(runs)} of 10 digits run; the baseline is beaten on "
          f"{', '.join(map(str, beaten)) or 'none of them'}.")


if __name__ == "__main__":
    main()
