#!/usr/bin/python3
"""A real `loanrisk tune` study opened by Debian's python3-optuna.

Runs `loanrisk synth`, a small `loanrisk tune` (8 trials), `loanrisk studies export-optuna`, then
optuna.load_study() on the exported file: the same trials, states, parameters, values,
intermediate values and best trial as loanrisk reports, the run id of each trial, and Optuna's
analysis functions (trials_dataframe, get_param_importances) and its sampler working on it. Then
every bad target is refused with exit 2 and leaves files as they were.

Usage: optuna_load.py LOANRISK_BINARY   (ctest: interop_optuna_load)
"""
import json
import math
import os
import sqlite3
import subprocess
import sys
import tempfile

try:
    import optuna
    import pandas  # noqa: F401  (trials_dataframe)
    import sklearn  # noqa: F401  (get_param_importances' fANOVA)
except ImportError as e:
    sys.exit(
        f"FAIL: {e}: this test needs Debian's python3-optuna, python3-pandas and python3-sklearn "
        "under /usr/bin/python3; run scripts/setup.sh"
    )

EXPECTED_OPTUNA = "3.1.0"  # Debian 12's; the exported schema is its alembic revision v3.0.0.d
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what)


def loanrisk(binary, *args, cwd):
    r = subprocess.run([binary, *args], cwd=cwd, capture_output=True)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def must(binary, *args, cwd):
    code, out, err = loanrisk(binary, *args, cwd=cwd)
    if code != 0:
        sys.exit(f"FAIL: loanrisk {' '.join(map(str, args))} exited {code}:\n{out}\n{err}")
    return out


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def compare_study(study, analysis, store_runs):
    trials = study.trials
    check(study.direction == optuna.study.StudyDirection.MAXIMIZE, "direction is MAXIMIZE")
    check(len(trials) == analysis["n_trials"], f"{len(trials)} trials, loanrisk has {analysis['n_trials']}")
    states = {}
    for t in trials:
        states[t.state.name] = states.get(t.state.name, 0) + 1
    for name, count in analysis["states"].items():
        check(states.get(name, 0) == count, f"{count} {name} trials (optuna sees {states.get(name, 0)})")
    history = {h["number"]: h for h in analysis["history"]}
    space = {p["name"]: p for p in analysis["search_space"]["params"]}
    for t in trials:
        h = history[t.number]
        check(t.state.name == h["state"], f"trial {t.number} state {t.state.name} == {h['state']}")
        check(t.params == h["params"], f"trial {t.number} params {t.params} == {h['params']}")
        if h["state"] == "COMPLETE":
            check(t.value == h["value"], f"trial {t.number} value {t.value} == {h['value']}")
        for name, d in t.distributions.items():
            p = space[name]
            if p["type"] == "int":
                ok = isinstance(d, optuna.distributions.IntDistribution) and (d.low, d.high) == (p["low"], p["high"])
            else:
                ok = isinstance(d, optuna.distributions.FloatDistribution) and (d.low, d.high, d.log) == (
                    p["low"], p["high"], p["log"])
            check(ok, f"trial {t.number} distribution of {name}: {d} matches {p}")
        run_id = t.user_attrs.get("loanrisk_run_id")
        check(run_id in store_runs, f"trial {t.number} loanrisk_run_id {run_id} is a run of the store")
        check(t.datetime_start is not None, f"trial {t.number} has datetime_start")
        check(t.datetime_complete is not None, f"trial {t.number} has datetime_complete")
    steps = {i["number"]: i["steps"] for i in analysis["intermediate"]}
    check(len(steps) > 0, "loanrisk recorded intermediate values")
    for t in trials:
        want = {int(s): v for s, v in steps.get(t.number, [])}
        got = {s: v for s, v in t.intermediate_values.items() if not math.isnan(v)}
        check(got == {s: v for s, v in want.items() if v is not None},
              f"trial {t.number} intermediate values ({len(got)} steps) equal loanrisk's ({len(want)})")
    best = analysis["best"]
    check(study.best_trial.number == best["number"], f"best trial #{study.best_trial.number} == #{best['number']}")
    check(study.best_value == best["value"], f"best value {study.best_value} == {best['value']}")
    check(study.user_attrs.get("family") == analysis["family"], "study user attribute family")
    check("sampler" in json.dumps(study.user_attrs.get("settings")), "study user attribute settings")


def analyse(study, space_names):
    frame = study.trials_dataframe()
    check(len(frame) == len(study.trials), f"trials_dataframe has {len(frame)} rows")
    for name in space_names:
        check(f"params_{name}" in frame.columns, f"trials_dataframe has params_{name}")
    check("user_attrs_loanrisk_run_id" in frame.columns, "trials_dataframe has user_attrs_loanrisk_run_id")
    importances = optuna.importance.get_param_importances(study)
    check(set(importances) == set(space_names), f"importances of {sorted(importances)}")
    check(abs(sum(importances.values()) - 1) < 1e-9, "importances sum to 1")


def resume_with_optuna(storage, name, space_names):
    """Optuna's own sampler continues the study: it checks each suggestion's distribution
    against the exported ones, so a wrong distribution_json fails here."""
    study = optuna.load_study(study_name=name, storage=storage, sampler=optuna.samplers.TPESampler(seed=1))
    best = study.best_trial

    def objective(trial):
        for n, d in best.distributions.items():
            if isinstance(d, optuna.distributions.IntDistribution):
                trial.suggest_int(n, d.low, d.high, step=d.step, log=d.log)
            elif isinstance(d, optuna.distributions.FloatDistribution):
                trial.suggest_float(n, d.low, d.high, step=d.step, log=d.log)
            else:
                trial.suggest_categorical(n, d.choices)
        return 0.0

    study.optimize(objective, n_trials=1)
    check(set(study.trials[-1].params) == set(space_names), "optuna added a trial with every parameter")


def refusals(binary, work, store, storage, db):
    def refused(args, message, what):
        code, out, err = loanrisk(binary, "studies", "export-optuna", "--store", store, *args, cwd=work)
        check(code == 2, f"{what}: exit {code} == 2 ({err.strip()})")
        check(message in err, f"{what}: message '{message}' in: {err.strip()}")
        check("internal error" not in err, f"{what}: no internal error")

    before = file_bytes(db)
    refused(["--study", "interop", "--storage", storage], "already holds a study named 'interop'",
            "a second export of the same study")
    check(file_bytes(db) == before, "the Optuna file is unchanged after the refused export")
    refused(["--study", 'a"b\nc #d', "--storage", storage], "no study 'a\"b\\x0ac #d'", "quotes and a newline")
    refused([b"--study", b"bad\xff\xfename", b"--storage", storage.encode()], "not valid UTF-8", "non-UTF-8 name")
    refused(["--study", "interop", "--storage", "postgresql://u@localhost/optuna"], "is not an SQLite URI",
            "a PostgreSQL storage")
    missing = os.path.join(work, "no such folder")
    refused(["--study", "interop", "--storage", "sqlite:///" + os.path.join(missing, "o.db")], "does not exist",
            "a folder that does not exist")
    check(not os.path.exists(missing), "no folder was created")
    other = os.path.join(work, "other.db")
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE loans (id INTEGER)")
    c.close()
    before = file_bytes(other)
    refused(["--study", "interop", "--storage", "sqlite:///" + other], "not an Optuna storage",
            "an SQLite file that is not Optuna's")
    check(file_bytes(other) == before, "the other SQLite file is unchanged")
    csv = os.path.join(work, "book.csv")
    before = file_bytes(csv)
    refused(["--study", "interop", "--storage", "sqlite:///" + csv], "is not an SQLite database", "a CSV file")
    check(file_bytes(csv) == before, "the CSV file is unchanged")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    check(optuna.__version__ == EXPECTED_OPTUNA,
          f"optuna {optuna.__version__} is Debian 12's {EXPECTED_OPTUNA} (the schema loanrisk writes)")
    with tempfile.TemporaryDirectory(prefix="loanrisk-optuna-") as work:
        store = "sqlite:///" + os.path.join(work, "store", "loanrisk.db")
        db = os.path.join(work, "optuna.db")
        storage = "sqlite:///" + db  # four slashes: work is absolute
        must(binary, "synth", "--rows", "1500", "--seed", "7", "--out", "book.csv", cwd=work)
        tuned = must(binary, "tune", "--data", "book.csv", "--model", "xgboost", "--trials", "8",
                     "--study", "interop", "--no-refit", "--quiet", "--store", store,
                     "--analysis", "analysis.json", cwd=work)
        with open(os.path.join(work, "analysis.json")) as f:
            analysis = json.load(f)
        check(f"#{analysis['best']['number']}" in tuned, "tune's summary names the same best trial")
        listed = json.loads(must(binary, "studies", "list", "--json", "--store", store, cwd=work))
        check([s["name"] for s in listed] == ["interop"], f"studies list: {listed}")
        check(listed[0]["best_number"] == analysis["best"]["number"], "studies list names the best trial")
        runs = json.loads(must(binary, "runs", "list", "--json", "--store", store, cwd=work))
        store_runs = {r["run_id"] for r in runs}
        print(must(binary, "studies", "export-optuna", "--study", "interop", "--storage", storage,
                   "--store", store, cwd=work), end="")

        study = optuna.load_study(study_name="interop", storage=storage)
        compare_study(study, analysis, store_runs)
        print(f"optuna {optuna.__version__}: {len(study.trials)} trials, best #{study.best_trial.number} "
              f"= {study.best_value}, states {analysis['states']}")
        space_names = [p["name"] for p in analysis["search_space"]["params"]]
        analyse(study, space_names)
        refusals(binary, work, store, storage, db)
        resume_with_optuna(storage, "interop", space_names)
    if failures:
        sys.exit(f"{len(failures)} check(s) failed")
    print("ok")


if __name__ == "__main__":
    main()
