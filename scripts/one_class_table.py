#!/usr/bin/env python3
"""Prints the Markdown table of one or more `algan_mnist --one-class` runs.

A dataset's ten classes may come from several runs (e.g. `--classes 0,1,2,3,4` one day and
`--classes 5,6,7,8,9` the next); give every run's one_class.json and the rows are merged.
The runs must agree on the dataset, seed, epochs and options, or the table would mix
experiments: the script stops with a message when they do not. Standard library only.

    python3 scripts/one_class_table.py out/one_class_mnist/one_class.json [more.json ...]
"""
import json
import statistics
import sys

NAMES = {
    "fashion": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
}


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"one_class_table: cannot read {path}: {e}")


def main(paths):
    if not paths:
        sys.exit(__doc__.strip())
    runs = [load(p) for p in paths]
    first = runs[0]
    for path, run in zip(paths[1:], runs[1:]):
        for key in ("dataset", "seed", "options"):
            if run.get(key) != first.get(key):
                sys.exit(f"one_class_table: {path} differs from {paths[0]} in '{key}'")
    rows = {}
    for path, run in zip(paths, runs):
        for row in run["classes"]:
            if row["class"] in rows:
                sys.exit(f"one_class_table: class {row['class']} appears twice ({path})")
            rows[row["class"]] = row
    names = NAMES.get(first["dataset"])
    options = first["options"]
    print(f"dataset {first['dataset']}, seed {first['seed']}, "
          f"{options.get('epochs', '?')} epochs, "
          f"spectral norm {'on' if options.get('spectral_norm') else 'off'}, "
          f"EMA decay {options.get('ema_decay', 0)}, "
          f"validation fraction {first.get('validation_fraction', 0)}\n")
    # Runs made before the baselines and the selection were added have only test_auroc.
    columns = [("test_auroc", "test AUROC")]
    if all("knn_auroc" in rows[c] for c in rows):
        if first.get("validation_fraction", 0) > 0:
            columns = [("test_auroc", "selected (label-free)"),
                       ("last_epoch_test_auroc", "last epoch")]
        columns += [("pca_auroc", "PCA"), ("knn_auroc", "kNN")]
    print("| normal class | training images | " + " | ".join(t for _, t in columns) + " |")
    print("|---|---:|" + "---:|" * len(columns))
    for c in sorted(rows):
        r = rows[c]
        label = f"{c} ({names[c]})" if names else str(c)
        cells = " | ".join(f"{r[k]:.4f}" for k, _ in columns)
        print(f"| {label} | {r['train_size']} | {cells} |")
    mean = "mean" if len(rows) == 10 else f"mean of these {len(rows)} classes"
    means = " | ".join(
        f"**{statistics.fmean(rows[c][k] for c in sorted(rows)):.4f}**" for k, _ in columns)
    print(f"| **{mean}** | | {means} |")

if __name__ == "__main__":
    main(sys.argv[1:])
