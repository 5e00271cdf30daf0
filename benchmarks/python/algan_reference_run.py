#!/usr/bin/python3
"""A whole ALGAN-MNIST run in PyTorch, written from the reference code's specification.

It answers one question: does the reference algorithm itself, on this machine and a split
drawn like the authors' (80/20 of the MNIST training 0s and 1s, test = all test 0s and 1s),
reach the published test AUROC (0.99847 with spectral norm, 0.97391 without), or is that one
run the upper end of a spread? Comparing its seeds with `algan_mnist`'s says whether gad's loop
is systematically worse or shares the spread.

What it reproduces: the MLP networks with Xavier-uniform weights (spectral norm's weight_orig
included) and N(1, 0.02) BatchNorm scales; latents from NumPy's global generator, redrawn at
every iteration of even epochs only; two D steps per G step, five separate D calls per step;
pseudo-anomalies from G in eval mode; two replay buffers of 1024; Adam (0, 0.9) at 2e-4 / 1e-4;
validation every 8 epochs, the best validation AUROC at or after epoch 32 kept (ties to the
later one) and tested once. The random streams cannot match the authors' bit for bit (their
split comes from torch's random_split on their machine), only in kind.

    /usr/bin/python3 benchmarks/python/algan_reference_run.py --seed 1234 --threads 1 \\
        --out out/algan_pytorch_s1234.json

Needs Debian's python3-torch (and its numpy); prints one progress line per validation and
writes one JSON object.
"""
import argparse
import copy
import gzip
import json
import os
import random
import time

import numpy as np
import torch
from torch import nn

from algan_iteration import BATCH, SIGMA, Z_DIM, Buffer, d_loss, discriminator, generator

EPOCHS, VAL_EVERY, SELECT_FROM, N_Z, N_DIS = 256, 8, 32, 2, 2


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(folder, part):
    images = read_idx(os.path.join(folder, f"{part}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(folder, f"{part}-labels-idx1-ubyte.gz"))
    # ToTensor then Normalize(0.5, 0.5): [-1, 1], flattened as the MLPs read it.
    x = torch.from_numpy(images.astype(np.float32) / 255.0).view(-1, 784) * 2.0 - 1.0
    return x, torch.from_numpy(labels.astype(np.int64))


def init_weights(module):
    # The reference's weights_init: .weight of a spectral-norm layer is weight_orig's storage.
    if isinstance(module, nn.Linear):
        nn.init.xavier_uniform_(getattr(module, "weight_orig", module.weight))
    elif isinstance(module, nn.BatchNorm1d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def auroc(scores, labels):
    """Mann-Whitney AUROC with average ranks for ties (what roc_auc_score returns)."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels)
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    sorted_s = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    pos = y == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def score(D, x):
    D.eval()
    with torch.no_grad():
        s = torch.cat([-D(chunk).view(-1) for chunk in x.split(256)])
    D.train()
    return s.numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data/mnist")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--no-sn", action="store_true")
    parser.add_argument("--out", required=True, help="JSON summary to write")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    random.seed(args.seed)
    start = time.time()

    G, D = generator(), discriminator(not args.no_sn)
    G.apply(init_weights)
    D.apply(init_weights)

    x_train, y_train = load(args.data, "train")
    x_test, y_test = load(args.data, "t10k")
    normal, anomalous = x_train[y_train == 0], x_train[y_train == 1]
    # random_split(0.8) on each class with torch's global generator, after the models exist.
    n_keep = int(0.8 * len(normal))
    perm = torch.randperm(len(normal))
    train, val_normal = normal[perm[:n_keep]], normal[perm[n_keep:]]
    perm = torch.randperm(len(anomalous))
    val_anomalous = anomalous[perm[int(0.8 * len(anomalous)):]]
    x_val = torch.cat([val_anomalous, val_normal])
    y_val = [1] * len(val_anomalous) + [0] * len(val_normal)
    test_mask = (y_test == 0) | (y_test == 1)
    x_te, y_te = x_test[test_mask], (y_test[test_mask] == 1).long().tolist()

    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.0, 0.9))
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-4, betas=(0.0, 0.9))
    bce = nn.BCEWithLogitsLoss()
    buf_n, buf_a = Buffer(), Buffer()
    ones = torch.ones(BATCH, 1)
    best_auc, best_epoch, best_D, validations = -1.0, -1, None, []

    def latents(sigma):
        return torch.from_numpy(np.random.normal(0.0, sigma, (BATCH, Z_DIM)).astype(np.float32))

    for epoch in range(args.epochs):
        order = torch.randperm(len(train))
        for it in range(len(train) // BATCH):  # drop_last
            x = train[order[it * BATCH:(it + 1) * BATCH]]
            if epoch % N_Z == 0:
                z_n, z_a, z_gen = latents(1.0), latents(SIGMA), latents(1.0)
            for _ in range(N_DIS):
                opt_d.zero_grad()
                opt_g.zero_grad()
                # The buffers are filled from iteration 0 but read from epoch 1 on.
                loss, fake_n, fake_a = d_loss(G, D, x, z_n, z_a,
                                              None if epoch == 0 else (buf_n, buf_a))
                loss.backward()
                opt_d.step()
            opt_g.zero_grad()
            loss_g = bce(D(G(z_gen)), ones)
            loss_g.backward()
            opt_g.step()
            buf_n.push(fake_n)
            buf_a.push(fake_a)
        if (epoch + 1) % VAL_EVERY == 0:
            G.eval()
            auc = auroc(score(D, x_val), y_val)
            G.train()
            validations.append({"epoch": epoch, "auroc": auc})
            if epoch + 1 >= SELECT_FROM and auc >= best_auc:
                best_auc, best_epoch, best_D = auc, epoch, copy.deepcopy(D)
            print(f"epoch {epoch + 1}: validation AUROC {auc:.5f} (best {best_auc:.5f} after "
                  f"{best_epoch + 1}), {time.time() - start:.0f} s", flush=True)

    test = auroc(score(best_D, x_te), y_te) if best_D is not None else float("nan")
    summary = {"implementation": "pytorch transcription of the reference loop",
               "torch": torch.__version__, "seed": args.seed, "threads": args.threads,
               "spectral_norm": not args.no_sn, "epochs": args.epochs,
               "sizes": {"train": len(train), "validation_normal": len(val_normal),
                         "validation_anomalous": len(val_anomalous), "test": len(y_te)},
               "best_epoch": best_epoch, "validation_auroc": best_auc, "test_auroc": test,
               "seconds": time.time() - start, "validations": validations}
    with open(args.out + ".tmp", "w") as f:
        json.dump(summary, f, indent=1)
    os.replace(args.out + ".tmp", args.out)
    print(f"test AUROC {test:.5f} (best validation {best_auc:.5f} after epoch {best_epoch + 1})")


if __name__ == "__main__":
    main()
