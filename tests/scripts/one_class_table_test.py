#!/usr/bin/env python3
"""scripts/one_class_table.py on hand-made run files shaped like algan_mnist's one_class.json
and alad_mnist's summary.json: rows are merged and averaged, and runs that are not one
experiment (or not finished, or not one-class) are refused with a message, never tabulated.

    one_class_table_test.py REPO_ROOT WORK_DIR
"""
import copy
import json
import os
import subprocess
import sys

root, work = sys.argv[1], sys.argv[2]
script = os.path.join(root, "scripts", "one_class_table.py")
os.makedirs(work, exist_ok=True)
failures = []


def write(name, content):
    path = os.path.join(work, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(content, f)
    return path


def table(*paths):
    return subprocess.run([sys.executable, script, *paths], capture_output=True, text=True)


def expect(ok, what, result):
    if not ok:
        failures.append(f"{what}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}")


def expect_table(what, paths, *lines):
    r = table(*paths)
    expect(r.returncode == 0 and all(line in r.stdout for line in lines), what, r)


def expect_refusal(what, paths, message):
    r = table(*paths)
    expect(r.returncode != 0 and message in r.stderr and "|" not in r.stdout, what, r)


def alad_run(label, fm, pca, knn, command_tail="", **changes):
    run = {
        "command": f"/x/alad_mnist --protocol normal --label {label} --data data/mnist --sn "
                   f"--dzz --epochs 8 --threads 1 --seed 42 --validation-fraction 0.2 "
                   f"--out runs/{label}{command_tail}",
        "model": "alad", "label": label, "label_meaning": "normal digit", "seed": 42,
        "baselines": {"pca_components": 32, "pca_auroc": pca, "knn_k": 5, "knn_auroc": knn},
        "training": {"images": 4000 + label, "epochs": 8},
        "selection": {"criterion": "mean fm score", "kept_epoch": 6},
        "results": {"fm": {"auroc": fm}, "l1": {"auroc": 0.5}},
    }
    run.update(changes)
    return run


a3 = write("a3.json", alad_run(3, 0.90, 0.95, 0.94))
a5 = write("a5.json", alad_run(5, 0.70, 0.85, 0.86, " --checkpoint-every 1 --threads 2"))
expect_table("ALAD runs of two classes make one table with their means", [a5, a3],
             "selected (label-free, fm) | kept epoch | PCA | kNN |",
             "| 3 | 4003 | 0.9000 | 6 | 0.9500 | 0.9400 |",
             "| 5 | 4005 | 0.7000 | 6 | 0.8500 | 0.8600 |",
             "| **mean of these 2 classes** | | **0.8000** |  | **0.9000** | **0.9000** |")

other_epochs = alad_run(4, 0.8, 0.9, 0.9)
other_epochs["command"] = other_epochs["command"].replace("--epochs 8", "--epochs 9")
expect_refusal("an ALAD run with other options", [a3, write("e.json", other_epochs)],
               "differs from")
expect_refusal("an ALAD run with another seed",
               [a3, write("s.json", alad_run(4, .8, .9, .9, seed=7))], "in 'seed'")
fashion = alad_run(4, 0.8, 0.9, 0.9)
fashion["command"] = fashion["command"].replace("data/mnist", "data/fashion-mnist")
expect_refusal("ALAD runs on two data sets", [a3, write("f.json", fashion)], "in 'dataset'")
expect_refusal("the same class twice", [a3, write("a3b.json", alad_run(3, .8, .9, .9))],
               "class 3 appears twice")
expect_refusal("an interrupted run", [write("i.json", alad_run(4, .8, .9, .9,
                                                               interrupted_by="SIGTERM"))],
               "interrupted")
expect_refusal("a run under EGBAD's protocol",
               [write("p.json", alad_run(4, .8, .9, .9, label_meaning="anomalous digit"))],
               "not a one-class run")
no_selection = alad_run(4, .8, .9, .9)
del no_selection["selection"]
expect_refusal("a run without label-free selection", [write("n.json", no_selection)],
               "no label-free selection")

algan_first = {
    "dataset": "fashion", "seed": 1234, "validation_fraction": 0.2,
    "options": {"epochs": 128, "spectral_norm": True, "ema_decay": 0.99},
    "classes": [{"class": 0, "train_size": 4800, "test_auroc": 0.6, "last_epoch_test_auroc": 0.5,
                 "pca_auroc": 0.9, "knn_auroc": 0.92}],
}
algan_second = copy.deepcopy(algan_first)
algan_second["classes"][0].update({"class": 1, "test_auroc": 0.8, "last_epoch_test_auroc": 0.9})
g0, g1 = write("g0.json", algan_first), write("g1.json", algan_second)
expect_table("ALGAN runs merge, with class names on Fashion-MNIST", [g0, g1],
             "| 0 (T-shirt/top) | 4800 | 0.6000 | 0.5000 | 0.9000 | 0.9200 |",
             "| **mean of these 2 classes** | | **0.7000** | **0.7000** |")
algan_other = copy.deepcopy(algan_second)
algan_other["options"]["ema_decay"] = 0.0
expect_refusal("ALGAN runs with other options", [g0, write("g2.json", algan_other)],
               "in 'options'")
expect_refusal("an ALGAN and an ALAD run in one table", [g0, a3], "comes from alad_mnist")
expect_refusal("a file that is no run", [write("x.json", {"hello": 1})], "neither")

if failures:
    print("\n\n".join(failures))
    sys.exit(1)
print("one_class_table.py: all cases as expected")
