"""Timing shared by the PyTorch mirrors."""
import statistics
import time


def median_ms(step, warmup, iterations):
    """Median wall time of `step()` in milliseconds, after `warmup` untimed calls."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        step()
        times.append(1e3 * (time.perf_counter() - start))
    return statistics.median(times)
