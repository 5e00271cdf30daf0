#!/usr/bin/python3
"""Step-for-step check of gad's faithful ALGAN loop against the PyTorch mirror.

`algan_trace` (C++) trains gad's ALGAN for a few epochs on the MNIST fixture and writes its
initial weights, training images, random-stream seeds, every logged loss and its final
weights. This script builds the mirror's networks (benchmarks/python/algan_iteration.py),
loads the same initial weights, seeds torch generators with the same streams (LibTorch and
python3-torch share ATen's CPU generator and kernels, so they draw the same shuffles, latents
and buffer permutations), replays the reference's loop, and compares every loss of every
iteration and every parameter and buffer at the end.

    /usr/bin/python3 tests/parity/algan_parity.py --trace-program build/tests/parity/algan_trace

Exit status 0 when everything agrees within the tolerance, 1 otherwise. Prints "SKIPPED: ..."
and exits 0 when python3-torch is missing (CTest then reports the test as skipped).
"""
import sys

from parity_common import (MIRRORS, arguments, by_gad_names, compare_losses, compare_states,
                           load_initial, need_torch, report, run_trace)

torch = need_torch()
from torch import nn  # noqa: E402

sys.path.insert(0, MIRRORS)
from algan_iteration import Buffer, d_loss, discriminator, generator  # noqa: E402


def build(trace):
    """The mirror's G and D with the trace's widths, holding gad's initial state."""
    names = set(trace)
    g_hidden = sorted(int(k.split("/")[2][len("linear"):].split(".")[0])
                      for k in names if k.startswith("init/G/linear") and k.endswith(".weight"))
    d_hidden = sorted(int(k.split("/")[2][len("linear"):].split(".")[0])
                      for k in names if k.startswith("init/D/linear") and k.endswith("weight_orig"))
    g_widths = [trace[f"init/G/linear{i}.weight"].shape[0] for i in g_hidden]
    d_widths = [trace[f"init/D/linear{i}.weight_orig"].shape[0] for i in d_hidden]
    image = trace["data"].shape[1]
    G = generator(trace["z_dim"], g_widths, image)
    D = discriminator(True, image, d_widths, trace["leaky_relu_slope"])
    # gad's module names -> the mirror's Sequential indices.
    g_map = {"last": str(3 * len(g_widths))}
    for i in range(len(g_widths)):
        g_map[f"linear{i}"], g_map[f"norm{i}"] = str(3 * i), str(3 * i + 1)
    d_map = {"last": str(2 * len(d_widths))}
    for i in range(len(d_widths)):
        d_map[f"linear{i}"] = str(2 * i)
    return G, D, g_map, d_map


def replay(trace):
    """The reference loop on gad's inputs; returns the per-iteration losses and G, D."""
    G, D, g_map, d_map = build(trace)
    load_initial(G, g_map, trace, "init/G/")
    load_initial(D, d_map, trace, "init/D/")
    betas = tuple(trace["adam_betas"])
    opt_g = torch.optim.Adam(G.parameters(), trace["generator_lr"], betas, trace["adam_eps"])
    opt_d = torch.optim.Adam(D.parameters(), trace["discriminator_lr"], betas, trace["adam_eps"])

    def stream(name):
        return torch.Generator().manual_seed(trace[f"seed/algan/{name}"])

    shuffle, latent = stream("shuffle"), stream("latent")
    capacity = trace["replay_capacity"]
    buffers = Buffer(capacity, stream("replay-n")), Buffer(capacity, stream("replay-a"))
    x_all, batch, z_dim = trace["data"], trace["batch_size"], trace["z_dim"]
    alpha, xi, sigma = trace["alpha"], trace["xi"], trace["sigma"]
    rows, z = [], None
    G.train()
    D.train()
    for epoch in range(trace["epochs"]):
        order = torch.randperm(x_all.shape[0], generator=shuffle)
        for it in range(x_all.shape[0] // batch):
            x = x_all[order[it * batch:(it + 1) * batch]]
            # The reference redraws latents only in even epochs.
            if z is None or epoch % 2 == 0:
                z = [torch.randn(batch, z_dim, generator=latent) * s for s in (1.0, sigma, 1.0)]
            z_n, z_a, z_gen = z
            use_buffers = epoch >= 1
            for _ in range(trace["discriminator_steps"]):
                terms = {}
                opt_d.zero_grad()
                loss, fake_n, fake_a = d_loss(G, D, x, z_n, z_a, buffers if use_buffers else None,
                                              alpha, xi, terms)
                loss.backward()
                opt_d.step()
            opt_g.zero_grad()
            loss_g = nn.functional.binary_cross_entropy_with_logits(
                D(G(z_gen)), torch.ones(batch, 1))
            loss_g.backward()
            opt_g.step()
            buffers[0].push(fake_n)
            buffers[1].push(fake_a)
            zero = 0.0
            rows.append([terms["real"].item(), terms["fake_normal"].item(),
                         terms["fake_anomalous"].item(),
                         terms["buffer_normal"].item() if use_buffers else zero,
                         terms["buffer_anomalous"].item() if use_buffers else zero,
                         loss.item(), loss_g.item()])
    return rows, by_gad_names(G, g_map), by_gad_names(D, d_map)


def main():
    args = arguments(__doc__.splitlines()[0]).parse_args()
    trace = run_trace(args.trace_program, args.trace)
    rows, g_state, d_state = replay(trace)
    problems = compare_losses(trace["losses"], rows, trace["loss_names"], args.loss_rtol)
    problems += compare_states(trace, "final/G/", g_state, args.param_rtol)
    problems += compare_states(trace, "final/D/", d_state, args.param_rtol)
    return report("ALGAN", len(rows), problems, args)


if __name__ == "__main__":
    sys.exit(main())
