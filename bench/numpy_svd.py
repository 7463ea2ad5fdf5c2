"""numpy/LAPACK (gesdd) SVD timings, one BLAS thread, on matrices sent as JSON on stdin.

Input: {"reps": int, "cases": [{"n": int, "a": [n*n floats], "vectors": bool, "set"?: str}], "graded": [{"n", "a", "sigma"}]}
Output: {"numpy": version, "cases": [{"n", "set", "vectors", "medianMs", "sigma": [...]}], "graded": [relErrSigmaMin, ...]}
"""
import json
import sys
import time

import numpy as np


def median_ms(fn, reps):
    fn()  # warm-up
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times))


def main():
    req = json.load(sys.stdin)
    out = {"numpy": np.__version__, "cases": [], "graded": []}
    for c in req["cases"]:
        n = c["n"]
        a = np.array(c["a"], dtype=np.float64).reshape(n, n)
        if c["vectors"]:
            fn = lambda: np.linalg.svd(a, full_matrices=False)
        else:
            fn = lambda: np.linalg.svd(a, compute_uv=False)
        reps = max(3, min(req["reps"], int(2000 / max(1, n))))
        out["cases"].append({
            "n": n,
            "set": c.get("set"),
            "vectors": c["vectors"],
            "medianMs": median_ms(fn, reps),
            "sigma": np.linalg.svd(a, compute_uv=False).tolist(),
        })
    for g in req["graded"]:
        n = g["n"]
        s = np.linalg.svd(np.array(g["a"]).reshape(n, n), compute_uv=False)
        out["graded"].append(abs(s[-1] - g["sigma"][-1]) / g["sigma"][-1])
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
