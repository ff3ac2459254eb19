#!/usr/bin/python3
"""Same statistics as a modelgate judgement, computed exactly on the raw events with scipy/sklearn.

Usage: reference_stats.py DIR REPEATS
DIR holds little-endian float64 files written by bench/compare-python.ts: {baseline,candidate}_{scores,labels,latency}.f64.
Prints one JSON object: exact values and the best-of-REPEATS wall time of each statistic in ms.
"""
import json
import sys
import time

try:
    import numpy as np
    from scipy import stats
    from sklearn.metrics import roc_auc_score
except ImportError as e:  # the bench reports this instead of failing
    missing = "python3-sklearn" if "sklearn" in str(e) else "python3-scipy"
    print(json.dumps({"available": False, "reason": f"{missing} not installed ({e})"}))
    sys.exit(0)


def load(d, name):
    return np.fromfile(f"{d}/{name}.f64", dtype="<f8")


def psi(baseline, candidate, bins=10, floor=1e-4):
    # baseline-quantile bins (numpy type 7), outer edges infinite, shares floored at 1e-4
    inner = np.quantile(baseline, np.arange(1, bins) / bins)
    edges = np.concatenate(([-np.inf], inner, [np.inf]))
    r = np.maximum(np.histogram(baseline, edges)[0] / len(baseline), floor)
    c = np.maximum(np.histogram(candidate, edges)[0] / len(candidate), floor)
    return float(np.sum((c - r) * np.log(c / r)))


def best(fn, repeats):
    out, ms = None, float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        ms = min(ms, (time.perf_counter() - t) * 1000)
    return out, ms


def main():
    d, repeats = sys.argv[1], int(sys.argv[2])
    sb, sc = load(d, "baseline_scores"), load(d, "candidate_scores")
    yb, yc = load(d, "baseline_labels"), load(d, "candidate_labels")
    lb, lc = load(d, "baseline_latency"), load(d, "candidate_latency")
    values, times = {}, {}
    r, times["ks_2samp"] = best(lambda: stats.ks_2samp(sb, sc), repeats)
    values["ks"] = float(r.statistic)
    values["psi"], times["psi"] = best(lambda: psi(sb, sc), repeats)
    values["wasserstein"], times["wasserstein_distance"] = best(lambda: float(stats.wasserstein_distance(sb, sc)), repeats)
    r, times["roc_auc_score x2"] = best(lambda: (roc_auc_score(yb, sb), roc_auc_score(yc, sc)), repeats)
    values["auc_baseline"], values["auc_candidate"] = float(r[0]), float(r[1])
    r, times["percentile p50/p95/p99 x2"] = best(
        lambda: (np.percentile(lb, [50, 95, 99]), np.percentile(lc, [50, 95, 99])), repeats
    )
    values["p95_baseline"], values["p95_candidate"] = float(r[0][1]), float(r[1][1])
    times["total"] = sum(times.values())
    print(json.dumps({"available": True, "scipy": __import__("scipy").__version__,
                      "sklearn": __import__("sklearn").__version__, "values": values, "timesMs": times}))


main()
