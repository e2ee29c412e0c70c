#!/usr/bin/env python3
"""
gradbench's `ode` eval (after cmpad's "an ODE") with torch autograd, as the recorded reference
for `pnpm bench` (suite gradbench-ode). Run with Debian's python3 and python3-torch:

    apt-get install -y python3-torch && /usr/bin/python3 apps/bench/scripts/gradbench-ode-torch.py

The problem: y₀' = x₀, yᵢ' = xᵢ·yᵢ₋₁ (i = 1 … n−1), y(0) = 0, integrated on [0, 2] by the
classical RK4 with s fixed steps; the output is the last state y_{n−1}(2), and the gradient is
with respect to all n inputs x (uniform on [0, 1), seeded). float64, one thread. Each (n, s)
is timed as the median of interleaved repetitions of the forward and of forward + backward.
Writes apps/bench/references/gradbench-ode-torch.json with the machine, versions and times.
"""
import json
import os
import platform
import statistics
import sys
import time

import torch

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)

SIZES = [(8, 10), (1000, 1), (1000, 10), (1000, 100), (10000, 1), (10000, 10), (10000, 100),
         (100000, 1), (100000, 10), (100000, 100)]


def rhs(x, y):
    return torch.cat([x[:1], x[1:] * y[:-1]])


def solve(x, s):
    y = torch.zeros_like(x)
    h = 2.0 / s
    for _ in range(s):
        k1 = rhs(x, y)
        k2 = rhs(x, y + 0.5 * h * k1)
        k3 = rhs(x, y + 0.5 * h * k2)
        k4 = rhs(x, y + h * k3)
        y = y + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return y[-1]


def forward(x, s):
    with torch.no_grad():
        return solve(x, s).item()


def gradient(x, s):
    xx = x.detach().clone().requires_grad_(True)
    out = solve(xx, s)
    (g,) = torch.autograd.grad(out, xx)
    return g


def timed(fn, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return times


def main():
    gen = torch.Generator().manual_seed(0)
    rows = []
    for n, s in SIZES:
        x = torch.rand(n, generator=gen)
        reps = 21 if n * s <= 1_000_000 else 7
        forward(x, s)
        gradient(x, s)
        fwd, grd = [], []
        for _ in range(reps):
            fwd += timed(lambda: forward(x, s), 1)
            grd += timed(lambda: gradient(x, s), 1)
        g = gradient(x, s)
        rows.append({
            "n": n, "s": s,
            "forward_ms": statistics.median(fwd), "gradient_ms": statistics.median(grd),
            "forward_min_ms": min(fwd), "gradient_min_ms": min(grd),
            "samples": reps,
            "output": forward(x, s),
            "gradient_first": g[:3].tolist(), "gradient_last": g[-3:].tolist(),
        })
        print(f"n={n:>6} s={s:>3}: forward {rows[-1]['forward_ms']:.3f} ms, gradient {rows[-1]['gradient_ms']:.3f} ms", file=sys.stderr)
    out = {
        "what": "gradbench ode eval (RK4, s fixed steps on [0, 2]) with torch autograd, float64, 1 thread",
        "script": "apps/bench/scripts/gradbench-ode-torch.py",
        "torch": torch.__version__, "python": platform.python_version(),
        "machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
        "inputs": "x = torch.rand(n, generator=torch.Generator().manual_seed(0)) for each (n, s) in turn",
        "rows": rows,
    }
    path = os.path.join(os.path.dirname(__file__), "..", "references", "gradbench-ode-torch.json")
    with open(path, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
