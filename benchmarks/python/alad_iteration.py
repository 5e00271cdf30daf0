#!/usr/bin/python3
"""Our PyTorch mirror of the ALAD-MNIST training iteration (the ALAD fork's loop), for timing.

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
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            SameConv(1, 128, 4, 2), nn.BatchNorm2d(128, 1e-3, 0.01), lrelu(),
            SameConv(128, 256, 4, 2), nn.BatchNorm2d(256, 1e-3, 0.01), lrelu(),
            SameConv(256, 512, 4, 2), nn.BatchNorm2d(512, 1e-3, 0.01), lrelu(),
            nn.Conv2d(512, LATENT, 4, 1))

    def forward(self, x):
        return self.net(x).flatten(1)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Sequential(
            nn.Linear(LATENT, 1024), nn.BatchNorm1d(1024, 1e-3, 0.01), nn.ReLU(),
            nn.Linear(1024, 7 * 7 * 128), nn.BatchNorm1d(7 * 7 * 128, 1e-3, 0.01), nn.ReLU())
        self.deconv = nn.Sequential(
            nn.ConvTranspose2d(128, 128, 4, 2, 1), nn.BatchNorm2d(128, 1e-3, 0.01), nn.ReLU(),
            nn.ConvTranspose2d(128, 1, 4, 2, 1), nn.Tanh())

    def forward(self, z):
        return self.deconv(self.dense(z).view(-1, 128, 7, 7))


class Dxz(nn.Module):
    def __init__(self):
        super().__init__()
        self.x = nn.Sequential(
            SameConv(1, 128, 4, 2), lrelu(),
            SameConv(128, 256, 4, 2), nn.BatchNorm2d(256, 1e-3, 0.01), lrelu(),
            SameConv(256, 512, 4, 2), nn.BatchNorm2d(512, 1e-3, 0.01), lrelu())
        self.z = nn.Sequential(nn.Linear(LATENT, 512), lrelu(), nn.Dropout(DROP),
                               nn.Linear(512, 512), lrelu(), nn.Dropout(DROP))
        self.joint = nn.Sequential(nn.Linear(8192 + 512, 1024), lrelu(), nn.Dropout(DROP))
        self.logit = nn.Linear(1024, 1)

    def forward(self, x, z):
        return self.logit(self.joint(torch.cat([self.x(x).flatten(1), self.z(z)], 1)))


class Dxx(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            SameConv(1, 64, 5, 2), lrelu(), nn.Dropout(DROP),
            SameConv(64, 128, 5, 2), lrelu(), nn.Dropout(DROP))
        self.logit = nn.Linear(12544, 1)

    def forward(self, x, x2):
        f = self.features(torch.cat([x, x2], 2)).flatten(1)  # stacked along the height
        return self.logit(f), f


class Dzz(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2 * LATENT, 64), lrelu(), nn.Dropout(DROP),
                                 nn.Linear(64, 32), lrelu(), nn.Dropout(DROP), nn.Linear(32, 1))

    def forward(self, z, z2):
        return self.net(torch.cat([z, z2], 1))


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
    emas = {k: copy.deepcopy(n) for k, n in nets.items()}
    bce = F.binary_cross_entropy_with_logits

    def ema_update(name):
        with torch.no_grad():
            for avg, p in zip(emas[name].parameters(), nets[name].parameters()):
                avg.mul_(DECAY).add_(p, alpha=1 - DECAY)

    def forward(x, z):
        ex, gz = E(x), G(z)
        l_enc, l_gen = D_xz(x, ex), D_xz(gz, z)
        rec_x, rec_z = G(ex), E(gz)
        xx_real, _ = D_xx(x, x)
        xx_fake, _ = D_xx(x, rec_x)
        zz_real, zz_fake = D_zz(z, z), D_zz(z, rec_z)
        return l_enc, l_gen, xx_real, xx_fake, zz_real, zz_fake

    def iteration():
        x = torch.rand(BATCH, 1, 28, 28) * 2 - 1
        z = torch.randn(BATCH, LATENT)
        for o in opts.values():
            o.zero_grad()
        l_enc, l_gen, xx_real, xx_fake, zz_real, zz_fake = forward(x, z)
        one, zero = torch.ones_like(l_enc), torch.zeros_like(l_enc)
        d_loss = (bce(l_enc, one) + bce(l_gen, zero) + bce(xx_real, one) + bce(xx_fake, zero)
                  + bce(zz_real, one) + bce(zz_fake, zero))
        d_loss.backward()
        for name in ("D_xz", "D_xx", "D_zz"):
            opts[name].step()
            ema_update(name)

        x = torch.rand(BATCH, 1, 28, 28) * 2 - 1
        z = torch.randn(BATCH, LATENT)
        for o in opts.values():
            o.zero_grad()
        l_enc, l_gen, xx_real, xx_fake, zz_real, zz_fake = forward(x, z)
        cycle = (bce(xx_real, zero) + bce(xx_fake, one)) + (bce(zz_real, zero) + bce(zz_fake, one))
        g_loss = bce(l_gen, one) + cycle
        e_loss = bce(l_enc, zero) + cycle
        g_grads = torch.autograd.grad(g_loss, list(G.parameters()), retain_graph=True)
        e_grads = torch.autograd.grad(e_loss, list(E.parameters()))
        for params, grads in ((G.parameters(), g_grads), (E.parameters(), e_grads)):
            for p, g in zip(params, grads):
                p.grad = g
        for name in ("G", "E"):
            opts[name].step()
            ema_update(name)
        d_loss.item(), g_loss.item(), e_loss.item()  # the reference logs them

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
