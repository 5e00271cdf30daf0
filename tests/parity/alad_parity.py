#!/usr/bin/python3
"""Step-for-step check of gad's ALAD loop (with D_zz) against the PyTorch mirror.

`alad_trace` (C++) trains gad's ALAD for a few epochs on the MNIST fixture, with the reference
MNIST networks narrowed 8 times and no dropout, and writes its initial weights, training
images, random-stream seeds, every logged loss and the final weights of the five networks
and of the four averaged copies. This script builds the mirror's networks
(benchmarks/python/alad_iteration.py, written from the specification's layer tables), loads
the same initial weights, draws the same shuffles and latents from identically seeded torch
generators and runs the mirror's faithful_step, then compares everything.

    /usr/bin/python3 tests/parity/alad_parity.py --trace-program build/tests/parity/alad_trace

Exit status 0 when everything agrees within the tolerance, 1 otherwise. Prints "SKIPPED: ..."
and exits 0 when python3-torch is missing (CTest then reports the test as skipped).
"""
import copy
import sys

from parity_common import (MIRRORS, arguments, compare_losses, compare_states, need_torch, report,
                           run_trace)

torch = need_torch()

sys.path.insert(0, MIRRORS)
import alad_iteration as mirror  # noqa: E402

NETS = ("E", "G", "D_xz", "D_xx", "D_zz")


def mirror_tensors(module):
    return [t for _, t in module.named_parameters()] + [t for _, t in module.named_buffers()]


def by_position(module, order):
    """The mirror module's parameters and buffers under gad's names. Both register their
    layers in the reference's order, so the lists are matched by position; every shape must
    agree, or the mapping is refused."""
    tensors = mirror_tensors(module)
    if len(tensors) != len(order):
        raise SystemExit(f"the mirror has {len(tensors)} tensors where gad has {len(order)}")
    return {name: t for name, t in zip(order, tensors)}


def replay(trace):
    if trace["latent_dim"] != mirror.LATENT:
        raise SystemExit(f"the mirror's latent is {mirror.LATENT}, gad's {trace['latent_dim']}")
    div = trace["width_divisor"]
    nets = {"E": mirror.Encoder(div), "G": mirror.Generator(div), "D_xz": mirror.Dxz(div, 0.0),
            "D_xx": mirror.Dxx(div, 0.0), "D_zz": mirror.Dzz(div, 0.0)}
    named = {}
    with torch.no_grad():
        for k in NETS:
            named[k] = by_position(nets[k], list(trace[f"order/{k}"]))
            for name, t in named[k].items():
                source = trace[f"init/{k}/{name}"]
                if t.shape != source.shape:
                    raise SystemExit(f"{k}.{name}: mirror shape {tuple(t.shape)}, "
                                     f"gad {tuple(source.shape)}")
                t.copy_(source)
    for net in nets.values():
        net.train()
    emas = {k: copy.deepcopy(nets[k]).eval() for k in ("E", "G", "D_xz", "D_xx")}
    betas = tuple(trace["adam_betas"])
    opts = {k: torch.optim.Adam(nets[k].parameters(), trace["learning_rate"], betas,
                                trace["adam_eps"]) for k in NETS}
    shuffle = torch.Generator().manual_seed(trace["seed/alad/shuffle"])
    latent = torch.Generator().manual_seed(trace["seed/alad/latent"])
    x_all, batch = trace["data"], trace["batch_size"]
    rows = []
    for _ in range(trace["epochs"]):
        order_d = torch.randperm(x_all.shape[0], generator=shuffle)
        order_g = torch.randperm(x_all.shape[0], generator=shuffle)
        for it in range(x_all.shape[0] // batch):
            window = slice(it * batch, (it + 1) * batch)
            z_d = torch.randn(batch, mirror.LATENT, generator=latent)
            z_g = torch.randn(batch, mirror.LATENT, generator=latent)
            losses = mirror.faithful_step(nets, opts, emas, x_all[order_d[window]], z_d,
                                          x_all[order_g[window]], z_g, trace["ema_decay"])
            rows.append([v.item() for v in losses])
    def state(module, k):
        return {n: t.detach() for n, t in by_position(module, list(trace[f"order/{k}"])).items()}

    final = {k: state(nets[k], k) for k in NETS}
    averaged = {k: state(emas[k], k) for k in emas}
    return rows, final, averaged


def main():
    args = arguments(__doc__.splitlines()[0]).parse_args()
    trace = run_trace(args.trace_program, args.trace)
    rows, final, averaged = replay(trace)
    problems = compare_losses(trace["losses"], rows, list(trace["loss_names"]), args.loss_rtol)
    for k in NETS:
        problems += compare_states(trace, f"final/{k}/", final[k], args.param_rtol)
    for k in averaged:
        problems += compare_states(trace, f"ema/{k}/", averaged[k], args.param_rtol)
    return report("ALAD", len(rows), problems, args)


if __name__ == "__main__":
    sys.exit(main())
