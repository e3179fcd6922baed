"""Reference coefficients for logistic_test.cpp (run once; the values are pinned in the test).

Fits scikit-learn's LogisticRegression(C) on the six raw numeric columns of the real loan data,
read as float32 (as loanrisk's DenseMatrix holds them) and standardised with the population
standard deviation (StandardScaler), with a tolerance tight enough that sklearn's answer is the
exact optimum. Usage: python3 logistic_reference.py /work/shared/data/Loan_Data.csv
"""
import sys

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

COLUMNS = ["credit_lines_outstanding", "loan_amt_outstanding", "total_debt_outstanding",
           "income", "years_employed", "fico_score"]

frame = pd.read_csv(sys.argv[1])
X = frame[COLUMNS].to_numpy(dtype=np.float32).astype(np.float64)
y = frame["default"].to_numpy()
Z = StandardScaler().fit_transform(X)
for C in (1.0, 0.01):
    model = LogisticRegression(C=C, tol=1e-12, max_iter=100000).fit(Z, y)
    print(f"C={C}")
    print("  intercept", repr(float(model.intercept_[0])))
    for name, coef in zip(COLUMNS, model.coef_[0]):
        print(f"  {name} {float(coef)!r}")
