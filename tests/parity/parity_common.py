"""What the step-for-step checks against the PyTorch mirror share: loading a trace, comparing
losses and final states against a relative tolerance, and the report."""
import sys


def need_torch():
    """torch, or exit 0 with the message CTest reads as "skipped"."""
    try:
        import torch
    except ImportError:
        print("SKIPPED: python3-torch is not installed (apt-get install python3-torch); "
              "the step-for-step check against PyTorch did not run")
        sys.exit(0)
    return torch


def load_trace(path):
    import torch
    return torch.load(path)


def rel_error(a, b):
    """max |a - b| / max(max |b|, 1e-12): one number per tensor, scaled by its magnitude."""
    import torch
    a, b = a.double(), b.double()
    if a.numel() == 0:
        return 0.0
    return ((a - b).abs().max() / b.abs().max().clamp_min(1e-12)).item()


def compare_losses(gad_rows, mirror_rows, names, rtol):
    """One problem line per loss and iteration where |gad - mirror| > rtol * max(1, |mirror|)."""
    problems = []
    if gad_rows.shape[0] != len(mirror_rows):
        return [f"gad logged {gad_rows.shape[0]} iterations, the mirror ran {len(mirror_rows)}"]
    worst = 0.0
    for i, row in enumerate(mirror_rows):
        for k, name in enumerate(names):
            g, m = gad_rows[i, k].item(), row[k]
            err = abs(g - m) / max(1.0, abs(m))
            worst = max(worst, err)
            if not err <= rtol:
                problems.append(f"iteration {i}: loss {name} gad {g:.9g} mirror {m:.9g}")
    print(f"losses: {len(mirror_rows)} iterations x {len(names)}, "
          f"largest relative difference {worst:.3g}")
    return problems


def compare_states(trace, prefix, mirror, rtol):
    """One problem line per tensor of `prefix` whose relative error exceeds rtol; one more when
    training left every tensor of `prefix` as it started ("final/X/" against "init/X/"), since
    agreement would then prove nothing."""
    problems, worst = [], (0.0, "")
    start = "init/" + prefix.split("/", 1)[1]
    initial = [k for k in trace if k.startswith(start)]
    if initial and all(trace[k].equal(trace[prefix + k[len(start):]]) for k in initial):
        problems.append(f"{prefix}: no tensor changed during training")
    for key in sorted(k for k in trace if k.startswith(prefix)):
        name = key[len(prefix):]
        if name not in mirror:
            problems.append(f"{prefix}{name}: not in the mirror")
            continue
        err = rel_error(trace[key], mirror[name])
        worst = max(worst, (err, name))
        if not err <= rtol:
            problems.append(f"{prefix}{name}: relative difference {err:.3g}")
    print(f"{prefix}: {len(mirror)} tensors, largest relative difference {worst[0]:.3g} "
          f"({worst[1]})")
    return problems


def report(family, iterations, problems, args, other="the PyTorch mirror"):
    if problems:
        print(f"{family}: gad and {other} disagree ({len(problems)} differences, "
              f"loss rtol {args.loss_rtol:g}, parameter rtol {args.param_rtol:g}):")
        for p in problems[:40]:
            print("  " + p)
        return 1
    print(f"{family}: gad and {other} agree on every loss of {iterations} iterations "
          f"and every final parameter and buffer (loss rtol {args.loss_rtol:g}, "
          f"parameter rtol {args.param_rtol:g})")
    return 0
