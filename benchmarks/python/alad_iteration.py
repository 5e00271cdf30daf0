#!/usr/bin/python3
"""Our PyTorch mirror of the ALAD-MNIST training iteration (the ALAD fork's loop).

faithful_step() is the iteration as the specification describes it, batch-norm bookkeeping
included; tests/parity/alad_parity.py compares it with gad step for step, and main() times it.
(Until 2026-12-03 main() timed a looser loop whose discriminator step also back-propagated
into E and G; the ALAD timings of docs/performance.md from before that date used it.)

Per iteration, as the reference does: a discriminator step (D_xz, D_xx and D_zz from one
forward pass, one backward, three Adam steps, three weight averages) on one batch, then a
generator/encoder step on an independently drawn batch (G's and E's gradients from one forward
pass, against the updated discriminators, two Adam steps and averages). D_zz is trained and
its cycle term reaches G and E (the reference's --enable_dzz); no spectral norm. Networks,
TensorFlow SAME padding (asymmetric where the reference's is), batch norm, dropout and the
N(0, 0.01) initialization follow the ALAD MNIST network. Scoring runs the averaged E, G and
D_xx in eval mode without gradients and computes the fm score, in batches of 256.

    /usr/bin/python3 benchmarks/python/alad_iteration.py --threads 2 --iterations 10

It prints one JSON object: milliseconds per training iteration and per 512 scored images.
"""
import argparse
import contextlib
import copy
import json
import math

import torch
import torch.nn.functional as F
from torch import nn

from timing import median_ms

BATCH, LATENT, SLOPE, DROP, DECAY = 32, 100, 0.2, 0.2, 0.999


class SameConv(nn.Conv2d):
    """Conv2d with TensorFlow's SAME padding: the extra pixel, if any, goes bottom/right."""

    def forward(self, x):
        pads = []
        for size, k, s in ((x.shape[-1], self.kernel_size[1], self.stride[1]),
                           (x.shape[-2], self.kernel_size[0], self.stride[0])):
            total = max((math.ceil(size / s) - 1) * s + k - size, 0)
            pads += [total // 2, total - total // 2]
        return super().forward(F.pad(x, pads))


def lrelu():
    return nn.LeakyReLU(SLOPE)


class Encoder(nn.Module):
    """`div` divides every hidden width (1 = the reference's); the latent stays LATENT."""

    def __init__(self, div=1):
        super().__init__()
        c1, c2, c3 = 128 // div, 256 // div, 512 // div
        self.net = nn.Sequential(
            SameConv(1, c1, 4, 2), nn.BatchNorm2d(c1, 1e-3, 0.01), lrelu(),
            SameConv(c1, c2, 4, 2), nn.BatchNorm2d(c2, 1e-3, 0.01), lrelu(),
            SameConv(c2, c3, 4, 2), nn.BatchNorm2d(c3, 1e-3, 0.01), lrelu(),
            nn.Conv2d(c3, LATENT, 4, 1))

    def forward(self, x):
        return self.net(x).flatten(1)


class Generator(nn.Module):
    def __init__(self, div=1):
        super().__init__()
        d, self.channels = 1024 // div, 128 // div
        c = self.channels
        self.dense = nn.Sequential(
            nn.Linear(LATENT, d), nn.BatchNorm1d(d, 1e-3, 0.01), nn.ReLU(),
            nn.Linear(d, 7 * 7 * c), nn.BatchNorm1d(7 * 7 * c, 1e-3, 0.01), nn.ReLU())
        self.deconv = nn.Sequential(
            nn.ConvTranspose2d(c, c, 4, 2, 1), nn.BatchNorm2d(c, 1e-3, 0.01), nn.ReLU(),
            nn.ConvTranspose2d(c, 1, 4, 2, 1), nn.Tanh())

    def forward(self, z):
        return self.deconv(self.dense(z).view(-1, self.channels, 7, 7))


class Dxz(nn.Module):
    def __init__(self, div=1, drop=DROP):
        super().__init__()
        c1, c2, c3, w, j = 128 // div, 256 // div, 512 // div, 512 // div, 1024 // div
        self.x = nn.Sequential(
            SameConv(1, c1, 4, 2), lrelu(),
            SameConv(c1, c2, 4, 2), nn.BatchNorm2d(c2, 1e-3, 0.01), lrelu(),
            SameConv(c2, c3, 4, 2), nn.BatchNorm2d(c3, 1e-3, 0.01), lrelu())
        self.z = nn.Sequential(nn.Linear(LATENT, w), lrelu(), nn.Dropout(drop),
                               nn.Linear(w, w), lrelu(), nn.Dropout(drop))
        self.joint = nn.Sequential(nn.Linear(16 * c3 + w, j), lrelu(), nn.Dropout(drop))
        self.logit = nn.Linear(j, 1)

    def forward(self, x, z):
        return self.logit(self.joint(torch.cat([self.x(x).flatten(1), self.z(z)], 1)))


class Dxx(nn.Module):
    def __init__(self, div=1, drop=DROP):
        super().__init__()
        c1, c2 = 64 // div, 128 // div
        self.features = nn.Sequential(
            SameConv(1, c1, 5, 2), lrelu(), nn.Dropout(drop),
            SameConv(c1, c2, 5, 2), lrelu(), nn.Dropout(drop))
        self.logit = nn.Linear(14 * 7 * c2, 1)

    def forward(self, x, x2):
        f = self.features(torch.cat([x, x2], 2)).flatten(1)  # stacked along the height
        return self.logit(f), f


class Dzz(nn.Module):
    def __init__(self, div=1, drop=DROP):
        super().__init__()
        a, b = 64 // div, 32 // div
        self.net = nn.Sequential(nn.Linear(2 * LATENT, a), lrelu(), nn.Dropout(drop),
                                 nn.Linear(a, b), lrelu(), nn.Dropout(drop), nn.Linear(b, 1))

    def forward(self, z, z2):
        return self.net(torch.cat([z, z2], 1))


@contextlib.contextmanager
def frozen_stats(*modules):
    """Batch norm keeps normalizing with batch statistics but leaves its running ones alone
    (momentum 0): in the reference a network's statistics move only in its own step."""
    bns = [m for net in modules for m in net.modules()
           if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    saved = [m.momentum for m in bns]
    for m in bns:
        m.momentum = 0.0
    try:
        yield
    finally:
        for m, momentum in zip(bns, saved):
            m.momentum = momentum


def ema_update(avg, net, decay):
    """TF's ExponentialMovingAverage step on parameters; buffers are copied as they are."""
    with torch.no_grad():
        for a, p in zip(avg.parameters(), net.parameters()):
            a.lerp_(p, 1 - decay)
        for a, b in zip(avg.buffers(), net.buffers()):
            a.copy_(b)


def faithful_step(nets, opts, emas, x_d, z_d, x_g, z_g, decay=DECAY):
    """One ALAD iteration (with D_zz) as the specification describes it and gad runs it: the
    discriminator step sees E's and G's outputs as constants, computed with batch statistics
    that do not move their running ones; the generator/encoder step then leaves the
    discriminators' statistics alone, and each of G and E takes the gradient of its own loss.
    `nets`, `opts` and `emas` are dicts keyed E, G, D_xz, D_xx, D_zz (no D_zz average).
    Returns the losses d_xz, d_xx, d_zz, d, g, e."""
    E, G, D_xz, D_xx, D_zz = (nets[k] for k in ("E", "G", "D_xz", "D_xx", "D_zz"))
    bce = F.binary_cross_entropy_with_logits

    def pair(real, fake, real_target, fake_target):
        return (bce(real, torch.full_like(real, real_target))
                + bce(fake, torch.full_like(fake, fake_target)))

    with torch.no_grad(), frozen_stats(E, G):
        ex, gz = E(x_d), G(z_d)
        rec_x, rec_z = G(ex), E(gz)
    l_xz = pair(D_xz(x_d, ex).view(-1), D_xz(gz, z_d).view(-1), 1.0, 0.0)
    l_xx = pair(D_xx(x_d, x_d)[0].view(-1), D_xx(x_d, rec_x)[0].view(-1), 1.0, 0.0)
    l_zz = pair(D_zz(z_d, z_d).view(-1), D_zz(z_d, rec_z).view(-1), 1.0, 0.0)
    for k in ("D_xz", "D_xx", "D_zz"):
        opts[k].zero_grad()
    d_loss = l_xz + l_xx + l_zz
    d_loss.backward()
    for k in ("D_xz", "D_xx", "D_zz"):
        opts[k].step()
        if k in emas:
            ema_update(emas[k], nets[k], decay)

    with frozen_stats(D_xz, D_xx, D_zz):
        ex, gz = E(x_g), G(z_g)
        l_enc, l_gen = D_xz(x_g, ex).view(-1), D_xz(gz, z_g).view(-1)
        rec_x = G(ex)
        xx = D_xx(x_g, x_g)[0].view(-1), D_xx(x_g, rec_x)[0].view(-1)
        rec_z = E(gz)
        zz = D_zz(z_g, z_g).view(-1), D_zz(z_g, rec_z).view(-1)
    cycle = pair(*xx, 0.0, 1.0) + pair(*zz, 0.0, 1.0)
    g_loss = bce(l_gen, torch.ones_like(l_gen)) + cycle
    e_loss = bce(l_enc, torch.zeros_like(l_enc)) + cycle
    g_grads = torch.autograd.grad(g_loss, list(G.parameters()), retain_graph=True)
    e_grads = torch.autograd.grad(e_loss, list(E.parameters()))
    for net, grads in ((G, g_grads), (E, e_grads)):
        for p, g in zip(net.parameters(), grads):
            p.grad = g
    for k in ("G", "E"):
        opts[k].step()
        ema_update(emas[k], nets[k], decay)
    return [l_xz, l_xx, l_zz, d_loss, g_loss, e_loss]


def init_normal(module):
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.01)
            nn.init.zeros_(m.bias)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)

    E, G, D_xz, D_xx, D_zz = Encoder(), Generator(), Dxz(), Dxx(), Dzz()
    nets = {"E": E, "G": G, "D_xz": D_xz, "D_xx": D_xx, "D_zz": D_zz}
    for net in nets.values():
        init_normal(net)
    opts = {k: torch.optim.Adam(n.parameters(), 2e-4, (0.5, 0.999)) for k, n in nets.items()}
    # D_zz is trained but never scores, so it has no average (as in the reference).
    emas = {k: copy.deepcopy(nets[k]) for k in ("E", "G", "D_xz", "D_xx")}

    def iteration():
        # Independent batches for the D step and the G/E step, as the reference draws them.
        x_d, x_g = (torch.rand(BATCH, 1, 28, 28) * 2 - 1 for _ in range(2))
        z_d, z_g = (torch.randn(BATCH, LATENT) for _ in range(2))
        losses = faithful_step(nets, opts, emas, x_d, z_d, x_g, z_g)
        [v.item() for v in losses]  # the reference logs them

    train_ms = median_ms(iteration, args.warmup, args.iterations)

    scores_in = torch.rand(2 * 256, 1, 28, 28) * 2 - 1
    for net in emas.values():
        net.eval()

    def score():
        for chunk in scores_in.split(256):
            rec = emas["G"](emas["E"](chunk))
            _, f_real = emas["D_xx"](chunk, chunk)
            _, f_fake = emas["D_xx"](chunk, rec)
            (f_real - f_fake).abs().sum(1)

    with torch.no_grad():
        score_ms = median_ms(score, args.warmup, args.iterations)

    print(json.dumps({
        "torch": torch.__version__, "threads": torch.get_num_threads(),
        "train_ms_per_iteration": train_ms,
        "score_ms_per_512": score_ms,
    }))


if __name__ == "__main__":
    main()
