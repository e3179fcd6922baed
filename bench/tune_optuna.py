#!/usr/bin/python3
"""The Python baseline of bench_tune.sh: the same search as `loanrisk tune` with Optuna's TPE,
scikit-learn and XGBoost, on the same split files (written by `loanrisk split`, the split that
`loanrisk tune` makes internally), scoring the same validation composite (0.4 AUC + 0.3 PR-AUC +
0.2 F1 + 0.05 recall + 0.05 precision at 0.5). lightgbm is not in Debian 12, so its baseline is
XGBoost's leaf-wise (lossguide, hist) growth, the same growth loanrisk's lightgbm family uses.
Two ways to use the machine's cores, both printed by bench_tune.sh: PARALLEL=model (threads
inside each model, one trial at a time: the usual setup) or PARALLEL=trials (Optuna's n_jobs runs
that many trials at once in threads, each model single-threaded, as `loanrisk tune --workers N`).
Prints one line: family wall_seconds trials_per_second best_composite."""
import os
import sys
import time

import numpy as np
import optuna
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (average_precision_score, f1_score, precision_score, recall_score,
                             roc_auc_score)
from sklearn.preprocessing import StandardScaler

FEATURES = ["credit_lines_outstanding", "loan_amt_outstanding", "total_debt_outstanding", "income",
            "years_employed", "fico_score"]


def composite(y, p):
    d = (p >= 0.5).astype(int)
    return (0.4 * roc_auc_score(y, p) + 0.3 * average_precision_score(y, p)
            + 0.2 * f1_score(y, d, zero_division=0) + 0.05 * recall_score(y, d, zero_division=0)
            + 0.05 * precision_score(y, d, zero_division=0))


def model_for(family, trial, jobs):
    if family == "xgboost":
        import xgboost
        return xgboost.XGBClassifier(
            n_estimators=trial.suggest_int("n_estimators", 50, 200),
            max_depth=trial.suggest_int("max_depth", 3, 15),
            learning_rate=trial.suggest_float("learning_rate", 0.01, 0.3),
            gamma=trial.suggest_float("gamma", 0, 1),
            subsample=trial.suggest_float("subsample", 0.5, 1),
            colsample_bytree=trial.suggest_float("colsample_bytree", 0.5, 1),
            n_jobs=jobs, random_state=42)
    if family == "lightgbm":
        import xgboost
        depth = trial.suggest_int("max_depth", -1, 50)
        return xgboost.XGBClassifier(
            n_estimators=trial.suggest_int("n_estimators", 50, 200),
            learning_rate=trial.suggest_float("learning_rate", 0.01, 0.3),
            max_leaves=trial.suggest_int("num_leaves", 20, 100),
            max_depth=0 if depth <= 0 else depth, grow_policy="lossguide", tree_method="hist",
            n_jobs=jobs, random_state=42)
    if family == "random_forest":
        return RandomForestClassifier(
            n_estimators=trial.suggest_int("n_estimators", 50, 200),
            max_depth=trial.suggest_int("max_depth", 2, 20),
            min_samples_split=trial.suggest_int("min_samples_split", 2, 10),
            n_jobs=jobs, random_state=42)
    if family == "logistic_regression":
        return LogisticRegression(C=trial.suggest_float("C", 1e-3, 1e2, log=True),
                                  max_iter=trial.suggest_int("max_iter", 100, 1000))
    raise SystemExit(f"tune_optuna.py: unknown family {family}")


def main():
    if len(sys.argv) not in (5, 7):
        raise SystemExit("usage: tune_optuna.py SPLIT_DIR FAMILY TRIALS SAMPLER(tpe|random) "
                         "[PARALLEL(model|trials) CORES]")
    split_dir, family, trials, sampler_name = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    parallel, cores = (sys.argv[5], int(sys.argv[6])) if len(sys.argv) == 7 else ("model", 2)
    if parallel not in ("model", "trials"):
        raise SystemExit(f"tune_optuna.py: PARALLEL must be model or trials, got {parallel}")
    model_jobs, study_jobs = (cores, 1) if parallel == "model" else (1, cores)
    start = time.perf_counter()  # like loanrisk's wall time, this includes reading the data
    train, valid = pd.read_csv(f"{split_dir}/train.csv"), pd.read_csv(f"{split_dir}/validation.csv")
    # loanrisk scores trials on the validation rows outside the calibration slice: the same here.
    if os.path.exists(f"{split_dir}/calibration.csv"):
        held_out = set(pd.read_csv(f"{split_dir}/calibration.csv")["customer_id"])
        valid = valid[~valid["customer_id"].isin(held_out)]
    X_tr, y_tr = train[FEATURES].to_numpy(float), train["default"].to_numpy(int)
    X_va, y_va = valid[FEATURES].to_numpy(float), valid["default"].to_numpy(int)
    scaler = StandardScaler().fit(X_tr)
    X_tr, X_va = scaler.transform(X_tr), scaler.transform(X_va)

    def objective(trial):
        model = model_for(family, trial, model_jobs)
        model.fit(X_tr, y_tr)
        return composite(y_va, model.predict_proba(X_va)[:, 1])

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = (optuna.samplers.TPESampler(seed=42) if sampler_name == "tpe"
               else optuna.samplers.RandomSampler(seed=42))
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(objective, n_trials=trials, n_jobs=study_jobs)
    wall = time.perf_counter() - start
    print(f"{family} {wall:.2f} {trials / wall:.2f} {study.best_value:.6f}")


if __name__ == "__main__":
    main()
