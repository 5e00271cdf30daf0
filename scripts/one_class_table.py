#!/usr/bin/env python3
"""Prints the Markdown table of one-class runs: `algan_mnist --one-class` (its one_class.json)
or `alad_mnist --protocol normal` (its summary.json, one normal class per run).

A dataset's ten classes may come from several runs (e.g. `--classes 0,1,2,3,4` one day and
`--classes 5,6,7,8,9` the next, or one alad_mnist run per class); give every run's file and the
rows are merged. The runs must be the same experiment (dataset, seed, options; for alad_mnist
the whole command but for the class, the output folder, checkpointing, device and threads), or
the table would mix experiments: the script stops with a message when they are not.
Standard library only.

    python3 scripts/one_class_table.py out/one_class_mnist/one_class.json [more.json ...]
    python3 scripts/one_class_table.py runs/alad-mnist-*/summary.json
"""
import json
import os
import re
import statistics
import sys

NAMES = {
    "fashion": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
}

# alad_mnist options that do not change what is measured, so runs differing in them still
# belong in one table; each takes a value.
ALAD_FREE_OPTIONS = {"--label", "--out", "--resume", "--checkpoint-every", "--curve-every",
                     "--device", "--threads", "--progress-seconds"}


def fail(message):
    sys.exit(f"one_class_table: {message}")


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        fail(f"cannot read {path}: {e}")


def alad_experiment(path, run):
    """The command without the program and the options that may differ within one table."""
    words = run.get("command", "").split()[1:]
    kept = []
    i = 0
    while i < len(words):
        name = words[i].split("=", 1)[0]
        if name in ALAD_FREE_OPTIONS:
            i += 1 if "=" in words[i] else 2
            continue
        kept.append(words[i])
        i += 1
    if not kept:
        fail(f"{path} records no command line")
    return " ".join(kept)


def alad_dataset(run):
    match = re.search(r"--data[= ](\S+)", run.get("command", ""))
    folder = os.path.basename(os.path.normpath(match.group(1))) if match else "mnist"
    return "fashion" if "fashion" in folder else folder


def alad_rule(path, run):
    """The score the run selected its epoch with, which is its headline ("mean fm score")."""
    criterion = run.get("selection", {}).get("criterion", "")
    match = re.fullmatch(r"mean (\S+) score", criterion)
    if not match or match.group(1) not in run.get("results", {}):
        fail(f"{path} has no label-free selection (run alad_mnist with --validation-fraction)")
    return match.group(1)


def read_alad(path, run):
    if run.get("label_meaning") != "normal digit":
        fail(f"{path} is not a one-class run (alad_mnist --protocol normal)")
    if "interrupted_by" in run:
        fail(f"{path} was interrupted ({run['interrupted_by']}); resume it before tabulating")
    if "baselines" not in run:
        fail(f"{path} has no in-run baselines")
    rule = alad_rule(path, run)
    row = {"class": run["label"],
           "train_size": run["training"]["images"],
           "test_auroc": run["results"][rule]["auroc"],
           "kept_epoch": run["selection"]["kept_epoch"],
           "pca_auroc": run["baselines"]["pca_auroc"],
           "knn_auroc": run["baselines"]["knn_auroc"]}
    return {"kind": "alad_mnist", "dataset": alad_dataset(run), "seed": run.get("seed"),
            "experiment": alad_experiment(path, run), "rule": rule, "model": run.get("model"),
            "epochs": run["training"]["epochs"], "rows": [row]}


def read_algan(path, run):
    return {"kind": "algan_mnist", "dataset": run["dataset"], "seed": run.get("seed"),
            "experiment": run.get("options"), "options": run.get("options", {}),
            "validation_fraction": run.get("validation_fraction", 0),
            "rows": run["classes"]}


def read(path):
    run = load(path)
    if "classes" in run:
        return read_algan(path, run)
    if "results" in run and "label" in run:
        return read_alad(path, run)
    fail(f"{path} is neither an algan_mnist one_class.json nor an alad_mnist summary.json")


def check_same(paths, runs):
    first = runs[0]
    for path, run in zip(paths[1:], runs[1:]):
        if run["kind"] != first["kind"]:
            fail(f"{path} comes from {run['kind']}, {paths[0]} from {first['kind']}")
        for key in ("dataset", "seed", "experiment"):
            if run.get(key) != first.get(key):
                what = "options" if key == "experiment" else key
                fail(f"{path} differs from {paths[0]} in '{what}'")


def columns_of(first, rows):
    if first["kind"] == "alad_mnist":
        return [("test_auroc", f"selected (label-free, {first['rule']})"),
                ("kept_epoch", "kept epoch"), ("pca_auroc", "PCA"), ("knn_auroc", "kNN")]
    # Runs made before the baselines and the selection were added have only test_auroc.
    columns = [("test_auroc", "test AUROC")]
    if all("knn_auroc" in rows[c] for c in rows):
        if first.get("validation_fraction", 0) > 0:
            columns = [("test_auroc", "selected (label-free)"),
                       ("last_epoch_test_auroc", "last epoch")]
        columns += [("pca_auroc", "PCA"), ("knn_auroc", "kNN")]
    return columns


def heading(first):
    if first["kind"] == "alad_mnist":
        epochs = f"{first['epochs']} epoch{'' if first['epochs'] == 1 else 's'}"
        return (f"dataset {first['dataset']}, seed {first['seed']}, {first['model']}, {epochs}, "
                f"kept epoch by the lowest held-out mean {first['rule']} score\n"
                f"  ({first['experiment']})\n")
    options = first["options"]
    return (f"dataset {first['dataset']}, seed {first['seed']}, "
            f"{options.get('epochs', '?')} epochs, "
            f"spectral norm {'on' if options.get('spectral_norm') else 'off'}, "
            f"EMA decay {options.get('ema_decay', 0)}, "
            f"validation fraction {first.get('validation_fraction', 0)}\n")


def cell(key, value):
    return str(value) if key == "kept_epoch" else f"{value:.4f}"


def main(paths):
    if not paths:
        sys.exit(__doc__.strip())
    runs = [read(p) for p in paths]
    check_same(paths, runs)
    first = runs[0]
    rows = {}
    for path, run in zip(paths, runs):
        for row in run["rows"]:
            if row["class"] in rows:
                fail(f"class {row['class']} appears twice ({path})")
            rows[row["class"]] = row
    names = NAMES.get(first["dataset"])
    columns = columns_of(first, rows)
    print(heading(first))
    print("| normal class | training images | " + " | ".join(t for _, t in columns) + " |")
    print("|---|---:|" + "---:|" * len(columns))
    for c in sorted(rows):
        r = rows[c]
        label = f"{c} ({names[c]})" if names else str(c)
        cells = " | ".join(cell(k, r[k]) for k, _ in columns)
        print(f"| {label} | {r['train_size']} | {cells} |")
    mean = ("mean" if len(rows) == 10 else
            "mean of this one class" if len(rows) == 1 else f"mean of these {len(rows)} classes")
    means = " | ".join(
        "" if k == "kept_epoch" else
        f"**{statistics.fmean(rows[c][k] for c in sorted(rows)):.4f}**" for k, _ in columns)
    print(f"| **{mean}** | | {means} |")


if __name__ == "__main__":
    main(sys.argv[1:])
