"""What the step-for-step checks against the PyTorch mirror share: the command line, running a
trace program and loading its trace, naming a mirror's tensors as gad does, comparing losses
and final states against a relative tolerance, and the report."""
import argparse
import os
import subprocess
import sys
import tempfile

MIRRORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "benchmarks",
                       "python")


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


def arguments(description, trace_file=True):
    """The options every check takes: the trace program, tolerances, and where to keep the trace."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--trace-program", required=True)
    if trace_file:
        parser.add_argument("--trace", help="keep the trace file here (default: a temporary file)")
    parser.add_argument("--loss-rtol", type=float, default=1e-5)
    parser.add_argument("--param-rtol", type=float, default=1e-5)
    return parser


def run_trace(program, keep=None, extra=()):
    """Runs a trace program (one thread) and returns its trace."""
    import torch
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        path = keep or os.path.join(tmp, "trace.pt")
        subprocess.run([program, path, *extra], check=True)
        return load_trace(path)


def by_gad_names(module, mapping):
    """The parameters and buffers of `module` under gad's names: `mapping` takes gad's name of a
    layer to the module's own prefix for it (a Sequential index, or a dotted path)."""
    inverse = {v: k for k, v in mapping.items()}
    out = {}
    for name, t in list(module.named_parameters()) + list(module.named_buffers()):
        head, leaf = name.rsplit(".", 1)
        out[f"{inverse[head]}.{leaf}"] = t.detach()
    return out


def load_initial(module, mapping, trace, prefix):
    """Copies gad's initial state (trace keys `prefix` + gad's names) into the module."""
    import torch
    state = by_gad_names(module, mapping)
    missing = {k[len(prefix):] for k in trace if k.startswith(prefix)} - set(state)
    if missing:
        raise SystemExit(f"gad has state the mirror lacks: {sorted(missing)}")
    with torch.no_grad():
        for name, t in state.items():
            t.copy_(trace[prefix + name])


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
