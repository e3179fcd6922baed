#!/usr/bin/env python3
"""Reference decisions of Optuna's SuccessiveHalvingPruner for pruner_test.cpp.

Trials run one after another; trial i reports curve(i, step) at steps 10, 20, ..., 100 (one value
every report_every = 10 boosting rounds) until Optuna prunes it. Prints, per setting, the step at
which each trial was pruned (0: completed). Run with Debian's python3-optuna (3.1):
    python3 tests/unit/tuning/pruner_reference.py
"""
import math

import optuna

TRIALS = 24


def curve(i, step):
    """The learning curves of pruner_reference.hpp."""
    if i == 7 and step == 30:
        return float("nan")
    level = ((i * 37) % 23) / 23.0
    speed = 10.0 + ((i * 11) % 7) * 10.0
    return level * step / (step + speed) + ((i * 5 + step) % 9) / 1000.0


def pruned_steps(min_resource, reduction_factor):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction="maximize",
        pruner=optuna.pruners.SuccessiveHalvingPruner(
            min_resource=min_resource, reduction_factor=reduction_factor
        ),
    )
    out = []
    for i in range(TRIALS):
        trial = study.ask()
        pruned_at = 0
        for step in range(10, 101, 10):
            trial.report(curve(i, step), step)
            if trial.should_prune():
                pruned_at = step
                break
        if pruned_at:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        else:
            study.tell(trial, curve(i, 100))
        out.append(pruned_at)
    return out


if __name__ == "__main__":
    print("optuna", optuna.__version__)
    for r, eta in [(1, 4), (10, 3), (25, 2)]:
        print(f"min_resource={r} reduction_factor={eta}:", ", ".join(map(str, pruned_steps(r, eta))))
