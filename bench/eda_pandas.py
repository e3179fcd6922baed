#!/usr/bin/env python3
"""The statistics of `loanrisk eda` done with pandas + scipy, the baseline bench_eda compares with.

Usage: /usr/bin/python3 eda_pandas.py BOOK.csv
Prints 'seconds <t>' (read + statistics, no report writing), or 'pandas not installed' / 'scipy not
installed' and exits 0, so the benchmark degrades gracefully.
"""
import sys
import time

try:
    import numpy as np
    import pandas as pd
except ImportError:
    print("pandas not installed")
    sys.exit(0)
try:
    import scipy.stats as st
except ImportError:
    print("scipy not installed")
    sys.exit(0)

FACTORS = {"loan_amt_outstanding": 2.8, "total_debt_outstanding": 3.9, "income": 1.9,
           "fico_score": 2.0}
RAW = ["credit_lines_outstanding", "loan_amt_outstanding", "total_debt_outstanding", "income",
       "years_employed", "fico_score"]


def auc(y, x):
    # Mann-Whitney with average ranks, as roc_auc_score.
    r = st.rankdata(x)
    pos = y == 1
    n1, n0 = pos.sum(), (~pos).sum()
    return (r[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)


def woe_iv(x, y, bins=10):
    edges = np.unique(np.quantile(x, np.linspace(0, 1, bins + 1)))
    b = np.clip(np.searchsorted(edges[1:-1], x, side="left"), 0, max(len(edges) - 2, 0))
    good = np.bincount(b, weights=(y == 0), minlength=len(edges) - 1)
    bad = np.bincount(b, weights=(y == 1), minlength=len(edges) - 1)
    keep = (good > 0) & (bad > 0)
    g, d = good[keep] / good.sum(), bad[keep] / bad.sum()
    return float(((g - d) * np.log(g / d)).sum())


def main(path):
    t0 = time.perf_counter()
    df = pd.read_csv(path, dtype={"customer_id": str})
    y = df["default"].to_numpy()
    df["debt_to_income_ratio"] = df.total_debt_outstanding / df.income.clip(lower=1.0)
    df["credit_to_income_ratio"] = df.loan_amt_outstanding / df.income.clip(lower=1.0)
    df["fico_score_diff"] = df.fico_score - 700.0
    span = df.fico_score.max() - df.fico_score.min()
    df["normalized_fico_score"] = (df.fico_score - df.fico_score.min()) / span
    feats = RAW + ["debt_to_income_ratio", "credit_to_income_ratio", "fico_score_diff",
                   "normalized_fico_score"]
    _ = (df.customer_id.duplicated().sum(), df.duplicated().sum(), df.isna().sum())
    _ = (df[feats].describe(), df[feats].skew(), df[feats].kurt())
    rng = np.random.default_rng(42)
    for c in feats:
        x = df[c].to_numpy()
        st.normaltest(x)
        st.shapiro(x[rng.choice(len(x), min(5000, len(x)), replace=False)])
        np.histogram(x, bins=30)
        np.histogram(x[y == 0], bins=30)
        np.histogram(x[y == 1], bins=30)
        if c in RAW:
            q1, q3 = np.quantile(x, [0.25, 0.75])
            k = FACTORS.get(c, 1.5)
            out = (x < q1 - k * (q3 - q1)) | (x > q3 + k * (q3 - q1)) | (np.abs(st.zscore(x)) > 3)
            _ = (y[out].mean() if out.any() else 0.0, y[~out].mean())
        auc(y, x)
        woe_iv(x, y)
        np.histogram(x, bins=np.unique(np.quantile(x, np.linspace(0, 1, 11))))
    _ = (df[feats + ["default"]].corr(), df[feats + ["default"]].corr(method="spearman"))
    print("seconds %.3f" % (time.perf_counter() - t0))


if __name__ == "__main__":
    main(sys.argv[1])
