"""A plain, vectorised numpy implementation of ../shared/PROTOCOL.md (all nine experiments).

Two uses: (1) the performance peer for `condlab run all --preset paper` (run with one BLAS thread:
OPENBLAS_NUM_THREADS=1), and (2) an independent implementation whose summary numbers our results can be compared
with statistically (it uses numpy's own RNG, so trials differ from condlab's; agreement is within sampling noise,
not digit for digit).

Usage: python3 bench/reference/protocol.py [--quick] [--only exp1,exp4] [--steps-bench] > out.json
"""
import json
import sys
import time

import numpy as np

EPOCHS, BATCH, LR, NOISE, INIT_STD = 200, 64, 0.01, 0.01, 0.02


def het_target(rng, d, rows=None):
    rows = rows or d
    w = rng.standard_normal((rows, d)) / np.sqrt(d)
    return w * np.exp(0.25 * rng.standard_normal(rows))[:, None]


def target(rng, d, kind):
    if kind == "heterogeneous":
        return het_target(rng, d)
    if kind == "lowrank":
        r = max(1, d // 8)
        a, b = rng.standard_normal((d, r)), rng.standard_normal((d, r))
        return a @ b.T / np.sqrt(r * d)
    if kind == "blockdiag":
        w = np.zeros((d, d))
        s = d // 4
        for k in range(4):
            w[k * s:(k + 1) * s, k * s:(k + 1) * s] = rng.standard_normal((s, s))
        return w
    raise ValueError(kind)


def metrics(w, ws):
    rn, rn_s = np.linalg.norm(w, axis=1), np.linalg.norm(ws, axis=1)
    cn, cn_s = np.linalg.norm(w, axis=0), np.linalg.norm(ws, axis=0)
    s, s_s = np.linalg.svd(w, compute_uv=False), np.linalg.svd(ws, compute_uv=False)
    k, k_s = s[0] / s[-1], s_s[0] / s_s[-1]
    er, er_s = np.sum(s > 0.01 * s[0]), np.sum(s_s > 0.01 * s_s[0])
    gap, gap_s = (s[0] - s[1]) / s[0], (s_s[0] - s_s[1]) / s_s[0]
    f, f_s = np.linalg.norm(w), np.linalg.norm(ws)
    rel = lambda a, b: float(abs(a - b) / abs(b))
    return {
        "rowNormErr": float(np.mean(np.abs(rn - rn_s) / rn_s)),
        "colNormErr": float(np.mean(np.abs(cn - cn_s) / cn_s)),
        "svErr": float(np.mean(np.abs(s - s_s) / s_s)),
        "kappaErr": rel(k, k_s),
        "effRankErr": rel(er, er_s),
        "gapErr": rel(gap, gap_s),
        "frobErr": rel(f, f_s),
        "overallErr": float(np.linalg.norm(w - ws) / f_s),
    }


class Data:
    """Fresh batches: X then ε per step, from the training stream."""

    def __init__(self, rng, ws, noise=NOISE):
        self.rng, self.ws, self.noise = rng, ws, noise

    def batch(self, b=None):
        b = b or BATCH
        d = self.ws.shape[1]
        x = self.rng.standard_normal((b, d))
        return x, x @ self.ws.T + self.noise * self.rng.standard_normal((b, self.ws.shape[0]))


def train_linear(ws, rng, epochs=EPOCHS, lr=LR, opt="sgd", wd=0.0, method="sgd", record=None, every=1):
    d = ws.shape[0]
    w = INIT_STD * rng.standard_normal((d, d))
    data = Data(rng, ws, NOISE)
    r, c = np.ones(d), np.ones(d)
    m, v = np.zeros_like(w), np.zeros_like(w)
    s_star = np.linalg.svd(ws, compute_uv=False)
    logk_star = np.log(s_star[0] / s_star[-1])
    for t in range(1, epochs + 1):
        x, y = data.batch()
        weff = r[:, None] * w * c[None, :] if method == "multipliers" else w
        res = x @ weff.T - y
        g_eff = res.T @ x / BATCH
        if method == "multipliers":
            g = r[:, None] * g_eff * c[None, :]
            gr = np.sum(g_eff * w * c[None, :], axis=1)
            gc = np.sum(g_eff * w * r[:, None], axis=0)
            r -= lr * 0.1 * gr
            c -= lr * 0.1 * gc
        else:
            g = g_eff
        if method == "spectral":
            u, s, vt = np.linalg.svd(w)
            delta = np.log(s[0] / s[-1]) - logk_star
            gs = 2e-3 * delta * (np.outer(u[:, 0], vt[0]) / s[0] - np.outer(u[:, -1], vt[-1]) / s[-1])
            nrm = np.linalg.norm(gs)
            if nrm > 1.0:
                gs /= nrm
            g = g + gs
        g = g + wd * w
        if opt == "adam":
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            w = w - 1e-3 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        else:
            w = w - lr * g
        if method == "svdcorr" and t % 20 == 0:
            u, s, vt = np.linalg.svd(w)
            w = (u * (s + 0.1 * (s_star - s))) @ vt
        if record is not None and t % every == 0:
            record(t, r[:, None] * w * c[None, :] if method == "multipliers" else w, x, y)
    return r[:, None] * w * c[None, :] if method == "multipliers" else w


def trial_rngs(k):
    ss = np.random.SeedSequence(42 + 100 * k)
    a, b = ss.spawn(2)
    return np.random.default_rng(a), np.random.default_rng(b)


def exp1(trials, dims):
    out = {}
    for d in dims:
        rows = []
        for k in range(trials):
            tr, rr = trial_rngs(k)
            ws = het_target(tr, d)
            rows.append(metrics(train_linear(ws, rr), ws))
        out[f"d={d}"] = rows
    return out


def exp2(trials, d=128):
    out = {"sgd": [], "adam": []}
    for k in range(trials):
        tr, _ = trial_rngs(k)
        ws = het_target(tr, d)
        for opt in ("sgd", "adam"):
            _, rr = trial_rngs(k)
            out[opt].append(metrics(train_linear(ws, rr, opt=opt), ws))
    return out


def exp3(trials, d=64):
    ratios = []
    for k in range(trials):
        tr, rr = trial_rngs(k)
        ws = het_target(tr, d)
        sig = []

        def rec(t, w, x, y):
            u, s, vt = np.linalg.svd(w)
            g = (x @ w.T - y).T @ x / BATCH
            sig.append(np.abs(np.einsum("ij,ij->j", u, g @ vt.T)))

        train_linear(ws, rr, record=rec)
        mean_sig = np.mean(sig, axis=0)
        ratios.append({"gradSignalRatio": float(mean_sig[0] / mean_sig[-1])})
    return {"all": ratios}


def exp4(trials, d=64):
    out = {m: [] for m in ("sgd", "multipliers", "spectral", "svdcorr")}
    for k in range(trials):
        tr, _ = trial_rngs(k)
        ws = het_target(tr, d)
        for m in out:
            _, rr = trial_rngs(k)
            out[m].append(metrics(train_linear(ws, rr, method=m), ws))
    return out


def exp5(trials, d=64):
    series = []
    for k in range(trials):
        tr, rr = trial_rngs(k)
        ws = het_target(tr, d)
        traj = []
        train_linear(ws, rr, record=lambda t, w, x, y: traj.append(metrics(w, ws)))
        series.append({"rowNormErrEnd": traj[-1]["rowNormErr"], "kappaErrEnd": traj[-1]["kappaErr"]})
    return {"all": series}


def exp6(trials, d=64):
    out = {}
    for kind in ("heterogeneous", "lowrank", "blockdiag"):
        for m in ("sgd", "multipliers"):
            out[f"{kind}/{m}"] = []
        for k in range(trials):
            tr, _ = trial_rngs(k)
            ws = target(tr, d, kind)
            for m in ("sgd", "multipliers"):
                _, rr = trial_rngs(k)
                out[f"{kind}/{m}"].append(metrics(train_linear(ws, rr, method=m), ws))
    return out


def exp7(trials, d=64):
    out = {f"L={L}": [] for L in (1, 2, 3)}
    out["mlp"] = []
    for k in range(trials):
        tr, rr = trial_rngs(k)
        ws = het_target(tr, d)
        out["L=1"].append(metrics(train_linear(ws, rr), ws) | {"productKappa": 0.0})
        for L in (2, 3):
            _, rr = trial_rngs(k)
            layers = [rr.standard_normal((d, d)) / np.sqrt(d) for _ in range(L)]
            data = Data(rr, ws)
            for t in range(EPOCHS):
                x, y = data.batch()
                acts = [x]
                for wl in layers:
                    acts.append(acts[-1] @ wl.T)
                delta = (acts[-1] - y) / BATCH
                grads = [None] * L
                for l in range(L - 1, -1, -1):
                    grads[l] = delta.T @ acts[l]
                    delta = delta @ layers[l]
                for l in range(L):
                    layers[l] -= LR * grads[l]
            prod = layers[0]
            for wl in layers[1:]:
                prod = wl @ prod
            met = metrics(prod, ws)
            s = np.linalg.svd(prod, compute_uv=False)
            met["productKappa"] = float(s[0] / s[-1])
            out[f"L={L}"].append(met)
        tr2, rr2 = trial_rngs(k)
        t1, t2 = het_target(tr2, d), het_target(tr2, d)
        w1, w2 = rr2.standard_normal((d, d)) / np.sqrt(d), rr2.standard_normal((d, d)) / np.sqrt(d)
        for t in range(EPOCHS):
            x = rr2.standard_normal((BATCH, d))
            y = np.maximum(x @ t1.T, 0) @ t2.T + NOISE * rr2.standard_normal((BATCH, d))
            h = x @ w1.T
            a = np.maximum(h, 0)
            delta = (a @ w2.T - y) / BATCH
            g2 = delta.T @ a
            dh = (delta @ w2) * (h > 0)
            g1 = dh.T @ x
            w1 -= LR * g1
            w2 -= LR * g2
        xt = rr2.standard_normal((2000, d))
        yt = np.maximum(xt @ t1.T, 0) @ t2.T
        yp = np.maximum(xt @ w1.T, 0) @ w2.T
        ke = np.mean([metrics(w1, t1)["kappaErr"], metrics(w2, t2)["kappaErr"]])
        out["mlp"].append({"overallErr": float(np.linalg.norm(yp - yt) / np.linalg.norm(yt)), "kappaErr": float(ke)})
    return out


def exp8(trials, d=64):
    out = {}
    for lr in (0.001, 0.005, 0.01, 0.02, 0.05):
        out[f"lr={lr}"] = []
    for wd in (0.0, 1e-4, 1e-3, 1e-2):
        out[f"wd={wd}"] = []
    for k in range(trials):
        tr, _ = trial_rngs(k)
        ws = het_target(tr, d)
        for lr in (0.001, 0.005, 0.01, 0.02, 0.05):
            _, rr = trial_rngs(k)
            m = metrics(train_linear(ws, rr, lr=lr), ws)
            m["gapRatio"] = m["kappaErr"] / m["rowNormErr"]
            out[f"lr={lr}"].append(m)
        for wd in (0.0, 1e-4, 1e-3, 1e-2):
            _, rr = trial_rngs(k)
            out[f"wd={wd}"].append(metrics(train_linear(ws, rr, wd=wd), ws))
    return out


def exp9(trials, d=128, epochs=1000, every=10):
    out = {"end": []}
    for k in range(trials):
        tr, rr = trial_rngs(k)
        ws = het_target(tr, d)
        traj = []
        train_linear(ws, rr, epochs=epochs, record=lambda t, w, x, y: traj.append(metrics(w, ws)), every=every)
        out["end"].append({"rowNormErr": traj[-1]["rowNormErr"], "kappaErr": traj[-1]["kappaErr"],
                           "ratioStart": traj[0]["kappaErr"] / traj[0]["rowNormErr"],
                           "ratioEnd": traj[-1]["kappaErr"] / traj[-1]["rowNormErr"]})
    return out


def summarise(rows):
    keys = rows[0].keys()
    return {k: {"mean": float(np.mean([r[k] for r in rows])), "std": float(np.std([r[k] for r in rows])),
                "median": float(np.median([r[k] for r in rows])), "n": len(rows)} for k in keys}


def steps_bench():
    """Training steps per second of one SGD step (fresh batch, forward, gradient, update) at d = 64, 128, 512."""
    out = {}
    rng = np.random.default_rng(0)
    for d in (64, 128, 512):
        ws = het_target(rng, d)
        w = INIT_STD * rng.standard_normal((d, d))
        data = Data(rng, ws)
        n = max(20, int(2e5 / d ** 1.5))
        t0 = time.perf_counter()
        for _ in range(n):
            x, y = data.batch()
            w -= LR * ((x @ w.T - y).T @ x / BATCH)
        out[str(d)] = n / (time.perf_counter() - t0)
    return out


class ReplayRng:
    """Hands out pre-drawn arrays in order (W₀'s normals, then X and ε per step), so a run here sees exactly the
    numbers condlab's training stream produced: the two implementations must then agree to rounding."""

    def __init__(self, arrays):
        self.queue = list(arrays)

    def standard_normal(self, shape):
        return self.queue.pop(0).reshape(shape)


def replay(spec):
    d, b = spec["d"], spec["batch"]
    ws = np.array(spec["ws"]).reshape(d, d)
    arrays = [np.array(spec["z0"])]
    for x, e in zip(spec["X"], spec["E"]):
        arrays += [np.array(x), np.array(e) / spec["noise"] if spec["noise"] > 0 else np.zeros(b * d)]
    global BATCH, NOISE
    BATCH, NOISE = b, spec["noise"]
    w = train_linear(ws, ReplayRng(arrays), epochs=spec["epochs"], lr=spec["lr"], opt=spec["opt"], wd=spec["wd"],
                     method=spec["method"])
    return metrics(w, ws)


def main():
    args = sys.argv[1:]
    if "--replay" in args:
        json.dump([replay(spec) for spec in json.load(sys.stdin)], sys.stdout)
        return
    if "--steps-bench" in args:
        json.dump({"stepsPerSecond": steps_bench()}, sys.stdout)
        return
    quick = "--quick" in args
    only = args[args.index("--only") + 1].split(",") if "--only" in args else [f"exp{i}" for i in range(1, 10)]
    t15, t10 = (3, 2) if quick else (15, 10)
    runs = {
        "exp1": lambda: exp1(t15, [32, 64] if quick else [32, 64, 128, 256, 512]),
        "exp2": lambda: exp2(t15),
        "exp3": lambda: exp3(t10),
        "exp4": lambda: exp4(t10),
        "exp5": lambda: exp5(t10),
        "exp6": lambda: exp6(t15),
        "exp7": lambda: exp7(t10),
        "exp8": lambda: exp8(t10),
        "exp9": lambda: exp9(t10, epochs=200 if quick else 1000),
    }
    result, timing = {}, {}
    for name in only:
        t0 = time.perf_counter()
        raw = runs[name]()
        timing[name] = time.perf_counter() - t0
        result[name] = {cond: summarise(rows) for cond, rows in raw.items()}
    json.dump({"numpy": np.__version__, "timing": timing, "total": sum(timing.values()), "results": result}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
