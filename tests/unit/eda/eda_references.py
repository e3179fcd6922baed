# Computes the reference numbers pinned in small_file_test.cpp with pandas 1.5.3, scipy 1.10.1 and
# scikit-learn 1.2.1 (Debian python3-pandas / python3-scipy / python3-sklearn):
#   /usr/bin/python3 eda_references.py   (run where small.csv holds the CSV of small_file_test.cpp)
# The WOE bins follow docs/eda.md: quantile edges, repeats dropped, bins without goods or bads
# merged into their right neighbour (the last into its left).
import numpy as np, pandas as pd, scipy.stats as st
df = pd.read_csv('small.csv', dtype={'customer_id': str})
bad = df.isna().any(axis=1) | (df.fico_score > 850)
df = df[~bad].reset_index(drop=True)
print("rows", len(df), "dup ids", df.customer_id.duplicated().sum(), "dup rows", df.duplicated().sum())
y = df['default']
fac = {'loan_amt_outstanding':2.8,'total_debt_outstanding':3.9,'income':1.9,'fico_score':2.0}
cols = ['credit_lines_outstanding','loan_amt_outstanding','total_debt_outstanding','income','years_employed','fico_score']
for c in cols:
    x = df[c].astype(float)
    d = x.describe()
    print(c, "mean %r std %r min %r q1 %r med %r q3 %r max %r skew %r kurt %r" % (d['mean'], d['std'], d['min'], d['25%'], d['50%'], d['75%'], d['max'], x.skew(), x.kurt()))
    k = st.normaltest(x); s = st.shapiro(x)
    print("   K2 %r %r  SW %r %r" % (k.statistic, k.pvalue, s.statistic, s.pvalue))
    q1, q3 = np.percentile(x, [25, 75]); k_ = fac.get(c, 1.5); lo, hi = q1 - k_*(q3-q1), q3 + k_*(q3-q1)
    iq = (x < lo) | (x > hi); z = np.abs(st.zscore(x)) > 3
    e = iq | z
    print("   iqr %d z %d both %d either %d rate_out %r rate_rest %r" % (iq.sum(), z.sum(), (iq&z).sum(), e.sum(), y[e].mean() if e.any() else float('nan'), y[~e].mean()))
    # WOE/IV: qcut 10 bins, drop duplicate edges, merge bins lacking a class rightwards
    edges = np.unique(np.quantile(x, np.linspace(0,1,11)))
    b = np.clip(np.searchsorted(edges[1:-1], x, side='left'), 0, len(edges)-2)
    bins = [[edges[i], edges[i+1], int(((b==i)&(y==0)).sum()), int(((b==i)&(y==1)).sum())] for i in range(len(edges)-1)]
    i = 0
    while i < len(bins) and len(bins) > 1:
        if bins[i][2] > 0 and bins[i][3] > 0: i += 1; continue
        k2 = i if i + 1 < len(bins) else i - 1
        L, R = bins[k2], bins[k2+1]
        bins[k2] = [L[0], R[1], L[2]+R[2], L[3]+R[3]]; del bins[k2+1]; i = k2
    G, B = (y==0).sum(), (y==1).sum()
    iv = sum((g/G - bb/B)*np.log((g/G)/(bb/B)) for _,_,g,bb in bins)
    auc = __import__('sklearn.metrics', fromlist=['x']).roc_auc_score(y, x)
    print("   bins", [(l,u,g,bb) for l,u,g,bb in bins], "IV %r AUC %r pearson %r spearman %r" % (iv, auc, x.corr(y), x.corr(y, method='spearman')))
