#!/usr/bin/env python3
"""Prints, for one alad_mnist run with --validation-fraction and --curve-every 1, which epoch
each score rule's mean on the held-out training normals would have kept, next to the test
metrics of every epoch.

Reads `<run>/validation_means.csv` (epoch,rule,mean: the label-free criterion) and
`<run>/curve.csv` (the test metrics, which no choice here looks at) and `<run>/summary.json`
when the run has finished (the rule that did select, and the epoch it kept). The table says
what a rule would have chosen; it does not choose anything after the fact. Standard library only.

    python3 scripts/alad_selection.py out/alad_d0_sel_l1 [--test-rule l1]
"""
import argparse
import csv
import json
import os
import sys


def read_csv(path):
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    except OSError as e:
        sys.exit(f"alad_selection: cannot read {path}: {e}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("run", help="output folder of an alad_mnist run")
    parser.add_argument("--test-rule", default="l1",
                        help="rule whose test AUROC and F1 are shown (default l1)")
    args = parser.parse_args()

    means = {}  # rule -> {epoch: mean}
    for row in read_csv(os.path.join(args.run, "validation_means.csv")):
        try:
            means.setdefault(row["rule"], {})[int(row["epoch"])] = float(row["mean"])
        except (KeyError, TypeError, ValueError):
            continue  # a line cut short by an interruption
    if not means:
        sys.exit(f"alad_selection: {args.run}/validation_means.csv has no rows "
                 "(was the run made with --validation-fraction and --curve-every 1?)")
    test = {}  # epoch -> (auroc, f1) of --test-rule
    for row in read_csv(os.path.join(args.run, "curve.csv")):
        if row.get("rule") == args.test_rule:
            try:
                test[int(row["epoch"])] = (float(row["auroc"]), float(row["f1_at_true_ratio"]))
            except (KeyError, TypeError, ValueError):
                continue
    if not test:
        sys.exit(f"alad_selection: {args.run}/curve.csv has no rows of rule '{args.test_rule}'")

    rules = list(means)
    epochs = sorted(set().union(*(m.keys() for m in means.values())))
    # Lowest mean wins; a tie goes to the later epoch, as in gad's selection.
    chosen = {r: max(means[r], key=lambda e: (-means[r][e], e)) for r in rules}

    summary_path = os.path.join(args.run, "summary.json")
    selecting, kept = None, None
    if os.path.exists(summary_path):
        with open(summary_path, encoding="utf-8") as f:
            selection = json.load(f).get("selection") or {}
        selecting, kept = selection.get("criterion"), selection.get("kept_epoch")

    print("| epoch | " + " | ".join(f"mean {r} (validation)" for r in rules) +
          f" | test {args.test_rule} AUROC | test {args.test_rule} F1 @ true ratio |")
    print("|---:|" + "---:|" * len(rules) + "---:|---:|")
    for e in epochs:
        cells = []
        for r in rules:
            v = means[r].get(e)
            cell = "" if v is None else f"{v:.5g}"
            cells.append(f"**{cell}**" if chosen[r] == e else cell)
        auroc, f1 = test.get(e, (None, None))
        t = f"{auroc:.4f} | {f1:.4f}" if auroc is not None else "not scored | "
        print(f"| {e} | " + " | ".join(cells) + f" | {t} |")
    print()
    for r in rules:
        auroc, f1 = test.get(chosen[r], (None, None))
        at = f"test {args.test_rule} AUROC {auroc:.4f}, F1 {f1:.4f}" if auroc is not None else \
            "not scored"
        print(f"lowest mean {r}: epoch {chosen[r]} of {epochs[-1]} ({at})")
    if selecting is not None:
        print(f"the run selected by {selecting} and kept epoch {kept}")
    else:
        print("the run has not finished (no summary.json): the epochs so far only")


if __name__ == "__main__":
    main()
