#!/usr/bin/env python3
"""numpy Generator.standard_normal throughput for bench/normals.bench.ts; one JSON object on stdout.

Reads {"n": block length, "repeats": R, "minSeconds": s} on stdin. Each repeat fills a preallocated float64 block
(out=, so no allocation is timed) until minSeconds pass; reports the median normals per second. The default bit
generator (PCG64) and the Ziggurat sampler are numpy's own, so this is exactly what `rng.standard_normal` costs.
"""
import json
import sys
import time


def main():
    spec = json.load(sys.stdin)
    try:
        import numpy as np
    except ImportError as e:
        print(json.dumps({"error": f"numpy not importable: {e}"}))
        return 0
    n, repeats, min_s = int(spec["n"]), int(spec["repeats"]), float(spec["minSeconds"])
    g = np.random.default_rng(20261201)
    out = np.empty(n)
    g.standard_normal(out=out)  # warm-up
    rates = []
    for _ in range(repeats):
        count, t0 = 0, time.perf_counter()
        while True:
            g.standard_normal(out=out)
            count += n
            dt = time.perf_counter() - t0
            if dt >= min_s:
                break
        rates.append(count / dt)
    rates.sort()
    print(json.dumps({"numpy": np.__version__, "bitGenerator": type(g.bit_generator).__name__,
                      "perSecond": rates[len(rates) // 2], "mean": float(out.mean()), "var": float(out.var())}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
