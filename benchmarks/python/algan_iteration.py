#!/usr/bin/python3
"""Our PyTorch mirror of the reference ALGAN-MNIST training iteration, for timing.

Its networks, replay buffer and discriminator loss also serve tests/parity/algan_parity.py,
which replays gad's training step for step with them.

It does what the authors' training loop does per iteration from epoch 1 on: two discriminator
steps, each with the real batch, a fresh fake-normal batch (G in train mode), a fresh
pseudo-anomalous batch (G in eval mode, latents with sigma 4) and one sample from each of the
two replay buffers, every group in its own D call; then one generator step whose backward also
fills D's gradients (the reference discards them); then the buffer update. Scoring is -D(x) in
eval mode without gradients, in batches of 1024.

Run it with Debian's python3 and python3-torch (1.13.1, the same ATen kernels as LibTorch):

    /usr/bin/python3 benchmarks/python/algan_iteration.py --threads 2 --iterations 20

It prints one JSON object: milliseconds per training iteration and per scoring batch (medians).
"""
import argparse
import json

import torch
from torch import nn

from timing import median_ms

Z_DIM, IMAGE, BATCH, SIGMA, ALPHA, XI, CAPACITY = 100, 784, 512, 4.0, 0.75, 0.75, 1024


def generator(z_dim=Z_DIM, hidden=(512, 1024), image=IMAGE):
    """The reference MLP G (widths as in the reference unless given): Linear without bias,
    BatchNorm1d and ReLU per hidden layer, then Linear and tanh."""
    layers, width = [], z_dim
    for h in hidden:
        layers += [nn.Linear(width, h, bias=False), nn.BatchNorm1d(h), nn.ReLU(True)]
        width = h
    return nn.Sequential(*layers, nn.Linear(width, image, bias=False), nn.Tanh())


def discriminator(spectral, image=IMAGE, hidden=(1024, 512), slope=0.2):
    """The reference MLP D: spectrally normalized Linear (no bias) and LeakyReLU per hidden
    layer, then a plain Linear to one logit."""
    wrap = nn.utils.spectral_norm if spectral else (lambda m: m)
    layers, width = [], image
    for h in hidden:
        layers += [wrap(nn.Linear(width, h, bias=False)), nn.LeakyReLU(slope, True)]
        width = h
    return nn.Sequential(*layers, nn.Linear(width, 1, bias=False))


class Buffer:
    """A replay buffer of at most `capacity` images; its permutations come from `generator`
    (torch's global one when None)."""

    def __init__(self, capacity=CAPACITY, generator=None):
        self.images = None
        self.capacity = capacity
        self.generator = generator

    def _perm(self, n):
        return torch.randperm(n, generator=self.generator)

    def push(self, new):
        new = new.detach()[self._perm(new.size(0))]
        if self.images is None:
            self.images = new
            return
        pool = torch.cat([self.images, new])
        self.images = pool[self._perm(pool.size(0))[:min(pool.size(0), self.capacity)]]

    def sample(self, n):
        return self.images[self._perm(self.images.size(0))[:n]]


def d_loss(G, D, x, z_n, z_a, buffers=None, alpha=ALPHA, xi=XI, terms=None):
    """The reference's discriminator loss, one D call per image group (each call advances the
    spectral-norm power iteration); without buffers (the reference's epoch 0) only the fresh
    fakes count. Returns the loss and the two fresh fake batches; a dict given as `terms`
    receives the per-group BCE terms."""
    bce = nn.functional.binary_cross_entropy_with_logits
    ones, zeros = torch.ones(x.size(0), 1), torch.zeros(x.size(0), 1)
    real = bce(D(x), ones)
    fake_n = G(z_n)
    l_fn = bce(D(fake_n.detach()), zeros)
    G.eval()
    fake_a = G(z_a).detach()
    G.train()
    l_fa = bce(D(fake_a), zeros)
    if terms is not None:
        terms.update(real=real, fake_normal=l_fn, fake_anomalous=l_fa)
    if buffers is None:
        return real + alpha * l_fn + (1 - alpha) * l_fa, fake_n, fake_a
    l_bn = bce(D(buffers[0].sample(x.size(0))), zeros)
    l_ba = bce(D(buffers[1].sample(x.size(0))), zeros)
    if terms is not None:
        terms.update(buffer_normal=l_bn, buffer_anomalous=l_ba)
    loss = (real + alpha * (xi * l_fn + (1 - xi) * l_bn)
            + (1 - alpha) * (xi * l_fa + (1 - xi) * l_ba))
    return loss, fake_n, fake_a


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--no-sn", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)

    G, D = generator(), discriminator(not args.no_sn)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.0, 0.9))
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-4, betas=(0.0, 0.9))
    bce = nn.BCEWithLogitsLoss()
    x = torch.rand(BATCH, IMAGE) * 2 - 1
    buffers = Buffer(), Buffer()
    for b in buffers:
        b.push(torch.rand(CAPACITY, IMAGE) * 2 - 1)
    ones = torch.ones(BATCH, 1)

    def iteration():
        z_n, z_a, z_gen = (torch.randn(BATCH, Z_DIM) * s for s in (1.0, SIGMA, 1.0))
        for _ in range(2):
            opt_d.zero_grad()
            opt_g.zero_grad()
            loss, fake_n, fake_a = d_loss(G, D, x, z_n, z_a, buffers)
            loss.backward()
            opt_d.step()
        opt_g.zero_grad()
        opt_d.zero_grad()
        loss_g = bce(D(G(z_gen)), ones)
        loss_g.backward()
        opt_g.step()
        buffers[0].push(fake_n)
        buffers[1].push(fake_a)
        # The reference logs every loss with .item(), which waits for the step to finish.
        loss.item(), loss_g.item()

    train_ms = median_ms(iteration, args.warmup, args.iterations)

    scores_in = torch.rand(2 * 1024, IMAGE) * 2 - 1
    D.eval()

    def score():
        for chunk in scores_in.split(1024):
            (-D(chunk)).view(-1)

    with torch.no_grad():
        score_ms = median_ms(score, args.warmup, args.iterations)

    print(json.dumps({
        "torch": torch.__version__, "threads": torch.get_num_threads(),
        "spectral_norm": not args.no_sn,
        "train_ms_per_iteration": train_ms,
        "score_ms_per_2048": score_ms,
    }))


if __name__ == "__main__":
    main()
