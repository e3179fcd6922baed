#!/usr/bin/env python3
"""A real `mlflow` client logging to `loanrisk serve` (docs/tracking.md, "MLflow clients").

Usage: mlflow_client.py LOANRISK_BINARY

Starts `loanrisk serve` on 127.0.0.1 (a free port) over a fresh store, points mlflow at it with
mlflow.set_tracking_uri, and does what a notebook does: set_experiment, start_run, log_param,
log_metric, log_metrics/log_params (log-batch), set_tag, log_artifact, end_run, search_runs; then
registers a loanrisk bundle logged as the run's artifact "bundle", sets an alias, checks that the
protected alias champion is refused, and finds the runs with `loanrisk runs list --json`.

The mlflow package is not in Debian: when it cannot be imported the script says so and exits 0
(skipped), as the test command runs it on machines without it.
"""

import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    binary = os.path.abspath(sys.argv[1])
    try:
        import mlflow
        from mlflow.exceptions import MlflowException
        from mlflow.tracking import MlflowClient
    except ImportError as e:
        print(f"SKIP: the mlflow package is not importable here ({e}); it is not in Debian. "
              "Install it (pip install mlflow) to run this interoperability check.")
        return 0

    work = tempfile.mkdtemp(prefix="loanrisk-mlflow-")
    store = "sqlite:///" + os.path.join(work, "store", "loanrisk.db")
    run = lambda *args: subprocess.run([binary, *args], cwd=work, check=True,  # noqa: E731
                                       capture_output=True, text=True)
    run("synth", "--rows", "2000", "--seed", "5", "--out", "book.csv")
    run("train", "--no-track", "--data", "book.csv", "--seed", "1", "--out", "bundle")
    env = dict(os.environ, LOANRISK_ADMIN_TOKEN="interop-token")
    out = open(os.path.join(work, "serve.out"), "w")
    server = subprocess.Popen([binary, "serve", "--port", "0", "--model", "bundle", "--store", store],
                              cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        port = None
        for _ in range(600):
            m = re.search(r"at http://127\.0\.0\.1:(\d+)", open(os.path.join(work, "serve.out")).read())
            if m:
                port = int(m.group(1))
                break
            if server.poll() is not None:
                break
            time.sleep(0.05)
        assert port, "loanrisk serve did not start: " + open(os.path.join(work, "serve.out")).read()

        os.environ["MLFLOW_TRACKING_TOKEN"] = "interop-token"
        mlflow.set_tracking_uri(f"http://127.0.0.1:{port}")
        print(f"mlflow {mlflow.__version__} -> loanrisk serve on port {port}")
        exp = mlflow.set_experiment("notebook")
        with mlflow.start_run(run_name="from-mlflow") as active:
            run_id = active.info.run_id
            mlflow.log_param("max_depth", 4)
            mlflow.log_metric("auc", 0.81, step=0)
            mlflow.log_metric("auc", 0.84, step=1)
            mlflow.log_metric("loss", float("nan"))
            mlflow.log_metrics({"f1": 0.42, "ks": 0.5})
            mlflow.log_params({"family": "logistic_regression", "seed": 1})
            mlflow.set_tag("team", "credit risk")
            note = os.path.join(work, "note.txt")
            with open(note, "w") as f:
                f.write("logged by mlflow\n")
            mlflow.log_artifact(note)
            mlflow.log_artifacts(os.path.join(work, "bundle"), "bundle")
        client = MlflowClient()
        got = client.get_run(run_id)
        assert got.info.status == "FINISHED", got.info
        assert got.info.run_name == "from-mlflow", got.info
        assert got.data.params["max_depth"] == "4", got.data.params
        assert got.data.metrics["auc"] == 0.84, got.data.metrics
        assert math.isnan(got.data.metrics["loss"]), got.data.metrics
        assert got.data.tags["team"] == "credit risk", got.data.tags
        history = client.get_metric_history(run_id, "auc")
        assert [m.value for m in history] == [0.81, 0.84], history
        found = mlflow.search_runs(experiment_ids=[exp.experiment_id],
                                   filter_string="metrics.auc > 0.8 and params.max_depth = '4'",
                                   output_format="list")
        assert [r.info.run_id for r in found] == [run_id], found
        names = [a.path for a in client.list_artifacts(run_id)]
        assert "note.txt" in names and "bundle" in names, names

        try:
            client.create_registered_model("pd-notebook")
        except MlflowException as e:
            if e.error_code != "RESOURCE_ALREADY_EXISTS":
                raise
        version = client.create_model_version("pd-notebook", f"runs:/{run_id}/bundle", run_id)
        assert version.version == "1", version
        client.set_registered_model_alias("pd-notebook", "challenger", version.version)
        assert client.get_model_version_by_alias("pd-notebook", "challenger").version == "1"
        try:
            client.set_registered_model_alias("pd-notebook", "champion", version.version)
            raise AssertionError("the protected alias champion moved over the REST API")
        except MlflowException as e:
            assert e.error_code == "PERMISSION_DENIED", e
            assert "loanrisk models request" in e.message, e.message

        listed = json.loads(run("runs", "list", "--json", "--store", store).stdout)
        mine = [r for r in listed if r["run_id"] == run_id]
        assert mine and mine[0]["name"] == "from-mlflow" and mine[0]["status"] == "FINISHED", listed
        assert mine[0]["experiment"] == "notebook", mine
        print("ok: the mlflow client logged, searched, uploaded and registered through loanrisk")
        return 0
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
