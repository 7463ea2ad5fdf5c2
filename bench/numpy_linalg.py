"""numpy/LAPACK timings for eigh (syevd), qr (geqrf; scipy's geqp3 with pivoting when scipy is present),
cholesky (potrf) and lstsq (gelsd), one BLAS thread, on matrices sent as JSON on stdin.

Input: {"reps": int, "cases": [{"n": int, "sym": [n*n], "spd": [n*n], "tall": [2n*n], "b": [2n]}]}
Output: {"numpy": version, "scipy": version or null, "cases": [{"n", "eighMs", "eighSpdMs", "eigvalsSpd", "qrMs", "qrPivotedMs", "choleskyMs",
         "lstsqMs", "eigvals": [...], "rdiag": [...] (pivoted, |r_ii|), "chol": [...], "x": [...]}]}
"""
import json
import sys
import time

import numpy as np

try:
    import scipy
    import scipy.linalg as sla
except ImportError:  # numpy alone still gives every timing but the pivoted QR
    scipy = None


def median_ms(fn, reps):
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times))


def main():
    req = json.load(sys.stdin)
    out = {"numpy": np.__version__, "scipy": scipy.__version__ if scipy else None, "cases": []}
    for c in req["cases"]:
        n = c["n"]
        sym = np.array(c["sym"]).reshape(n, n)
        spd = np.array(c["spd"]).reshape(n, n)
        tall = np.array(c["tall"]).reshape(2 * n, n)
        b = np.array(c["b"])
        reps = max(5, min(req["reps"], int(4000 / n)))
        row = {
            "n": n,
            "eighMs": median_ms(lambda: np.linalg.eigh(sym), reps),
            "eighSpdMs": median_ms(lambda: np.linalg.eigh(spd), reps),
            "eigvalsSpd": np.linalg.eigvalsh(spd).tolist(),
            "qrMs": median_ms(lambda: np.linalg.qr(tall), reps),
            "choleskyMs": median_ms(lambda: np.linalg.cholesky(spd), reps),
            "lstsqMs": median_ms(lambda: np.linalg.lstsq(tall, b, rcond=None), reps),
            "eigvals": np.linalg.eigvalsh(sym).tolist(),
            "chol": np.linalg.cholesky(spd).ravel().tolist(),
            "x": np.linalg.lstsq(tall, b, rcond=None)[0].tolist(),
            "qrPivotedMs": None,
            "rdiag": None,
        }
        if scipy:
            row["qrPivotedMs"] = median_ms(lambda: sla.qr(tall, mode="economic", pivoting=True), reps)
            row["rdiag"] = np.abs(np.diag(sla.qr(tall, mode="economic", pivoting=True)[1])).tolist()
        out["cases"].append(row)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
