# Computes the reference numbers pinned in pd_tests_test.cpp with scipy 1.10.1 and numpy (Debian
# python3-scipy): /usr/bin/python3 pd_tests_references.py
# DeLong's components are computed here by their definition (psi over every positive-negative
# pair, O(m n)), not by the midrank shortcut the C++ uses, so the two agree only if both are right.
import numpy as np
from scipy import stats

for n, d, pd in [(1000, 25, 0.02), (50, 0, 0.01), (200, 10, 0.05), (10000, 1851, 0.18), (30, 30, 0.9)]:
    print("jeffreys", n, d, pd, repr(stats.beta.cdf(pd, d + 0.5, n - d + 0.5)),
          "binomial", repr(stats.binomtest(d, n, pd, alternative="greater").pvalue))

groups = [(500, 3, 0.004), (800, 12, 0.011), (600, 20, 0.03), (300, 25, 0.07), (100, 30, 0.2)]
hl = sum((D - N * p) ** 2 / (N * p * (1 - p)) for N, D, p in groups)
print("hl", repr(hl), "p5", repr(stats.chi2.sf(hl, 5)), "p3", repr(stats.chi2.sf(hl, 3)))

i = np.arange(200)
y = ((i * 7) % 10 < 3).astype(float)
a = np.round(((i * 37) % 101) / 101 + 0.3 * y, 2)
b = np.round(((i * 53) % 97) / 97 + 0.2 * y, 2)

def parts(s):
    X, Y = s[y == 1], s[y == 0]
    psi = (X[:, None] > Y[None, :]) + 0.5 * (X[:, None] == Y[None, :])
    return psi.mean(), psi.mean(axis=1), psi.mean(axis=0)

auc_a, v10a, v01a = parts(a)
auc_b, v10b, v01b = parts(b)
m, n = v10a.size, v01a.size
var_a = np.var(v10a, ddof=1) / m + np.var(v01a, ddof=1) / n
var_b = np.var(v10b, ddof=1) / m + np.var(v01b, ddof=1) / n
cov = np.cov(v10a, v10b)[0, 1] / m + np.cov(v01a, v01b)[0, 1] / n
z = (auc_a - auc_b) / np.sqrt(var_a + var_b - 2 * cov)
half = stats.norm.ppf(0.975) * np.sqrt(var_a)
print("delong a", repr(auc_a), repr(var_a), repr(auc_a - half), repr(auc_a + half))
print("delong b", repr(auc_b), repr(var_b), "cov", repr(cov), "z", repr(z),
      "p", repr(2 * stats.norm.sf(abs(z))))
s = (0.80 - auc_a) / np.sqrt(var_a)
print("decline from 0.80", repr(s), repr(stats.norm.sf(s)))
