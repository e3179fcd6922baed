"""The pandas + XGBoost baseline of bench/bench_predict.sh: what a Python team writes to score a
loan CSV with the same model. read_csv, the pipeline's capping and four engineered features (from
the bundle's pipeline.json), booster.inplace_predict on the bundle's own xgboost.json, the Platt
calibrator when the bundle has one, the decision at the bundle's threshold, to_csv.

Usage: predict_pandas.py BUNDLE DATA.csv OUT.csv
"""
import json
import sys

import numpy as np
import pandas as pd
import xgboost as xgb

bundle, data, out = sys.argv[1:4]
pipeline = json.load(open(f"{bundle}/pipeline.json"))["pipeline"]
manifest = json.load(open(f"{bundle}/manifest.json"))

df = pd.read_csv(data)
for column, rule in pipeline["outliers"].items():
    if rule["action"] == "cap" and column in pipeline["fits"]:
        fit = pipeline["fits"][column]
        df[column] = df[column].clip(fit["lower"], fit["upper"])
income = np.maximum(df["income"], pipeline["income_floor"])
df["debt_to_income_ratio"] = df["total_debt_outstanding"] / income
df["credit_to_income_ratio"] = df["loan_amt_outstanding"] / income
df["fico_score_diff"] = df["fico_score"] - 700.0
span = pipeline["fico_max"] - pipeline["fico_min"]
df["normalized_fico_score"] = ((df["fico_score"] - pipeline["fico_min"]) / span).clip(0, 1)

booster = xgb.Booster()
booster.load_model(f"{bundle}/model/xgboost.json")
X = df[pipeline["features"]].to_numpy(dtype=np.float32)
p = booster.inplace_predict(X).astype(np.float64)
calibrator = manifest.get("calibrator", {})
if calibrator.get("method") == "platt":  # on the logit of the model's probability
    q = np.clip(p, 1e-15, 1 - 1e-15)
    p = 1.0 / (1.0 + np.exp(-(calibrator["a"] * np.log(q / (1 - q)) + calibrator["b"])))
threshold = manifest.get("threshold", 0.5)
pd.DataFrame({
    "customer_id": df["customer_id"],
    "pd": p,
    "decision": np.where(p >= threshold, "decline", "approve"),
}).to_csv(out, index=False)
