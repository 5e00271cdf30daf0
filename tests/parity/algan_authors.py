#!/usr/bin/python3
"""One-off check of gad's ALGAN loop against the authors' own code (hanneko/algan_for_t-prism).

The authors' repository is not part of gad; give the path of its src/ folder. This script
imports their config, model and train modules unchanged and runs their train_full_gan on
gad's inputs: the G and D of model.py receive gad's initial weights, their data loader yields
gad's batches, their latent_variable_generator returns gad's latents, and their buffer
functions (utils.to_buffer, utils.from_buffer) run with torch.randperm drawing from gad's
replay streams. Their per-iteration loss log and final weights are then compared with gad's.

    git -C <mirror of hanneko/algan_for_t-prism> archive HEAD src | tar -x -C /tmp/algan_authors
    /usr/bin/python3 tests/parity/algan_authors.py --authors-src /tmp/algan_authors/src \\
        --trace-program build/tests/parity/algan_trace

Their plotting and metrics imports (matplotlib, sklearn, torchvision) are replaced by stubs:
they only draw figures and compute the validation AUROC, which this check does not use.
"""
import glob
import os
import sys
import tempfile
import types

import numpy as np

from parity_common import (arguments, by_gad_names, compare_losses, compare_states, load_initial,
                           need_torch, report, run_trace)

torch = need_torch()


def stub_modules():
    """Modules the authors' train.py imports for figures and AUROC only."""
    class Figure:
        def savefig(self, *a, **k):
            pass

    plt = types.ModuleType("matplotlib.pyplot")
    for name in ("hist", "legend", "plot", "xlabel", "ylabel", "grid", "close"):
        setattr(plt, name, lambda *a, **k: None)
    plt.figure = lambda *a, **k: Figure()
    mpl = types.ModuleType("matplotlib")
    mpl.pyplot = plt
    metrics = types.ModuleType("sklearn.metrics")
    metrics.roc_auc_score = lambda *a, **k: 0.5
    metrics.roc_curve = lambda *a, **k: (None, None, None)
    sk = types.ModuleType("sklearn")
    sk.metrics = metrics
    sys.modules.update({"matplotlib": mpl, "matplotlib.pyplot": plt, "sklearn": sk,
                        "sklearn.metrics": metrics, "torchvision": types.ModuleType("torchvision")})


class RandpermFrom:
    """Stands in for the `torch` module inside the authors' utils: randperm draws from the
    generator set in `gen`, everything else is torch."""

    def __init__(self):
        self.gen = None

    def randperm(self, n, *a, **k):
        return torch.randperm(n, generator=self.gen)

    def __getattr__(self, name):
        return getattr(torch, name)


def main():
    parser = arguments(__doc__.splitlines()[0], trace_file=False)
    parser.add_argument("--authors-src", required=True)
    args = parser.parse_args()
    trace = run_trace(args.trace_program, extra=["--reference-widths"])
    tmp = tempfile.mkdtemp(prefix="algan-authors-")  # their outputs (loss log, weights)

    stub_modules()
    sys.path.insert(0, os.path.abspath(args.authors_src))
    import config as c
    batch = trace["batch_size"]
    c.DEVICE, c.OUTPUT_PATH = "cpu", tmp + "/"
    c.NUM_EPOCHS, c.BATCH_SIZE_TRAIN, c.Z_DIM = trace["epochs"], batch, trace["z_dim"]
    c.ANO_SIGMA, c.ALPHA, c.XI = trace["sigma"], trace["alpha"], trace["xi"]
    c.G_LR, c.D_LR = trace["generator_lr"], trace["discriminator_lr"]
    c.BETA_1, c.BETA_2 = trace["adam_betas"]
    c.N_DIS = trace["discriminator_steps"]
    # One validation, after the last epoch, kept whatever its (stubbed) AUROC.
    c.VAL_EPOCH, c.HP_PASS_EPOCH = trace["epochs"], 0
    import model
    import train
    import utils

    def stream(name):
        return torch.Generator().manual_seed(trace[f"seed/algan/{name}"])

    # Latents: the authors draw (z_NOR, z_ANO) and then (z_NOR_gen, unused) per redraw; gad
    # draws normal, anomalous and generator latents in that order from one stream.
    latent = stream("latent")
    calls = {"n": 0}

    def latents(bs_nor, bs_ano):
        if bs_nor == 8 and bs_ano == 8 and batch != 8:  # the fixed latents of their figures
            return torch.zeros(8, c.Z_DIM), torch.zeros(8, c.Z_DIM)
        calls["n"] += 1
        z_n = torch.randn(bs_nor, c.Z_DIM, generator=latent)
        if calls["n"] % 2 == 1:
            return z_n, torch.randn(bs_ano, c.Z_DIM, generator=latent) * c.ANO_SIGMA
        return z_n, None

    train.latent_variable_generator = latents
    train.save_fake_images = lambda *a, **k: None

    # Buffers: their calls alternate normal, anomalous (to_buffer and from_buffer alike).
    proxy = RandpermFrom()
    utils.torch = proxy
    replay = [stream("replay-n"), stream("replay-a")]
    turn = {"to": 0, "from": 0}

    def routed(fn, key):
        def call(*a, **k):
            proxy.gen = replay[turn[key] % 2]
            turn[key] += 1
            return fn(*a, **k)
        return call

    train.to_buffer = routed(utils.to_buffer, "to")
    train.from_buffer = routed(utils.from_buffer, "from")

    x_all = trace["data"]
    shuffle = stream("shuffle")

    class Batches:
        """gad's epoch shuffles, full batches only (gad drops the last partial batch)."""

        def __iter__(self):
            order = torch.randperm(x_all.shape[0], generator=shuffle)
            for it in range(x_all.shape[0] // batch):
                rows = x_all[order[it * batch:(it + 1) * batch]]
                yield rows.view(-1, 1, 28, 28), torch.zeros(batch, dtype=torch.long)

    few = [(x_all[:4].view(-1, 1, 28, 28), torch.zeros(4, dtype=torch.long))]

    G = model.MLP_Generator(z_dim=c.Z_DIM, out_dim=784)
    D = model.MLP_Discriminator(in_dim=784)
    g_map = {"linear0": "layer1.0", "norm0": "layer1.1", "linear1": "layer2.0",
             "norm1": "layer2.1", "last": "last.0"}
    d_map = {"linear0": "layer1.0", "linear1": "layer2.0", "last": "last.0"}

    load_initial(G, g_map, trace, "init/G/")
    load_initial(D, d_map, trace, "init/D/")
    G.train()
    D.train()
    Gp = torch.nn.DataParallel(G, device_ids=[0])
    Dp = torch.nn.DataParallel(D, device_ids=[0])
    train.train_full_gan(Dp, Gp, [Batches(), few, few], [few, few])

    log = np.loadtxt(glob.glob(os.path.join(tmp, "loss_log_*.csv"))[0], delimiter=",", ndmin=2)
    # Their columns: iteration, epoch, D_real, D_fake_NOR, D_fake_ANO, D_buf_NOR, D_buf_ANO, G.
    names = list(trace["loss_names"])
    gad_cols = [names.index(n) for n in ("d_real", "d_fake_normal", "d_fake_anomalous",
                                          "d_buffer_normal", "d_buffer_anomalous", "g")]
    rows = [list(r[2:8]) for r in log]
    problems = compare_losses(trace["losses"][:, gad_cols], rows,
                              [names[k] for k in gad_cols], args.loss_rtol)
    problems += compare_states(trace, "final/G/", by_gad_names(G, g_map), args.param_rtol)
    problems += compare_states(trace, "final/D/", by_gad_names(D, d_map), args.param_rtol)
    return report("ALGAN", len(rows), problems, args, "the authors' code")


if __name__ == "__main__":
    sys.exit(main())
