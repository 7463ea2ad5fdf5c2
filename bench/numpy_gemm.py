#!/usr/bin/env python3
"""Single-thread numpy DGEMM timings for bench/gemm.bench.ts; prints one JSON object on stdout.

Run with OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 (the TS driver sets them): the variables are
read when the BLAS library loads, so they cannot be set from inside this script after `import numpy`.
Inputs use the same closed-form entries as the TS side, so the checksums (sum of C) are comparable.
"""
import argparse
import json
import os
import sys
import time


def entries(n, mult, mod):
    import numpy as np
    idx = np.arange(n * n, dtype=np.int64)
    return (((idx * mult) % mod).astype(np.float64) / mod - 0.5).reshape(n, n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="64,128,256,512,1024")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--min-seconds", type=float, default=0.05, help="each repeat loops until this much time passes")
    args = ap.parse_args()
    try:
        import numpy as np
    except ImportError as e:
        print(json.dumps({"error": f"numpy not importable: {e}"}))
        return 0
    threads = {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    blas = None
    try:  # numpy >= 2 exposes the build config as a dict
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        blas = {k: blas.get(k) for k in ("name", "version", "openblas configuration") if blas.get(k)}
    except Exception:
        pass
    results = []
    for n in [int(s) for s in args.sizes.split(",") if s]:
        a, b = entries(n, 7919, 1009), entries(n, 104729, 2003)
        c = np.empty((n, n))
        for _ in range(3):  # warm-up: page in buffers, let BLAS pick its kernel
            np.matmul(a, b, out=c)
        times = []
        for _ in range(args.repeats):
            reps, t0 = 0, time.perf_counter()
            while True:
                np.matmul(a, b, out=c)
                reps += 1
                dt = time.perf_counter() - t0
                if dt >= args.min_seconds:
                    break
            times.append(dt / reps)
        times.sort()
        med = times[len(times) // 2]
        results.append({"n": n, "seconds": med, "gflops": 2 * n**3 / med / 1e9, "checksum": float(c.sum())})
    print(json.dumps({"numpy": np.__version__, "python": sys.version.split()[0], "blas": blas, "threads": threads,
                      "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
