#!/usr/bin/python3
"""Reads a `loanrisk runs export-mlflow` folder back with PyYAML, as MLflow's FileStore reads it.

Every meta.yaml and MLmodel file must parse; every field must equal what the store holds, given
as JSON by the test that wrote the export (tests/unit/registry/mlflow_export_roundtrip_test.cpp):
experiments, runs (meta, params, tags, metrics, dataset inputs, MLmodel of their bundle), and
the registry (models, versions, aliases, version tags). file:// URIs must decode to the folders
they name. Exit 0 when everything matches; otherwise one line per difference and exit 1.

Usage: mlflow_export_check.py EXPORT_DIR EXPECTED_JSON
"""
import json
import os
import sys
import urllib.parse

try:
    import yaml
except ImportError as e:
    sys.exit(f"FAIL: {e}: this check needs Debian's python3-yaml under /usr/bin/python3; "
             "run scripts/setup.sh")

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what)


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def uri_path(uri):
    """The local path of a file:// URI, as MLflow's local_file_uri_to_path decodes it."""
    parsed = urllib.parse.urlparse(uri)
    check(parsed.scheme == "file", f"{uri!r} is a file:// URI")
    return urllib.parse.unquote(parsed.path)


def check_every_yaml_parses(root):
    count = 0
    for folder, _, files in os.walk(root):
        for name in files:
            if name in ("meta.yaml", "MLmodel"):
                try:
                    load(os.path.join(folder, name))
                    count += 1
                except yaml.YAMLError as e:
                    check(False, f"{os.path.join(folder, name)} parses: {e}")
    return count


def check_experiment(root, e):
    folder = os.path.join(root, e["id"])
    meta = load(os.path.join(folder, "meta.yaml"))
    check(meta["name"] == e["name"], f"experiment {e['id']} name {meta['name']!r} == {e['name']!r}")
    check(meta["experiment_id"] == e["id"], f"experiment_id {meta['experiment_id']!r} is the string {e['id']!r}")
    check(meta["creation_time"] == e["created"], f"experiment {e['id']} creation_time")
    check(meta["lifecycle_stage"] == "active", f"experiment {e['id']} is active")
    check(uri_path(meta["artifact_location"]) == folder, f"artifact_location {meta['artifact_location']} decodes to {folder}")


def check_run(root, r):
    folder = os.path.join(root, r["experiment_id"], r["id"])
    meta = load(os.path.join(folder, "meta.yaml"))
    want = {"run_id": r["id"], "run_uuid": r["id"], "run_name": r["name"], "experiment_id": r["experiment_id"],
            "user_id": r["user"], "status": r["status_code"], "start_time": r["start"], "end_time": r["end"],
            "lifecycle_stage": "deleted" if r["deleted"] else "active", "source_type": 4, "tags": []}
    for key, value in want.items():
        check(meta.get(key) == value, f"run {r['id']} {key} {meta.get(key)!r} == {value!r}")
    check(uri_path(meta["artifact_uri"]) == os.path.join(folder, "artifacts"), f"run {r['id']} artifact_uri decodes")
    for key, value in r["params"].items():
        check(read(os.path.join(folder, "params", key)) == value, f"run {r['id']} param {key!r}")
    tags = dict(r["tags"], **{"mlflow.runName": r["name"], "mlflow.user": r["user"]})
    for key, value in tags.items():
        check(read(os.path.join(folder, "tags", key)) == value, f"run {r['id']} tag {key!r} == {value!r}")
    for key, points in r["metrics"].items():
        lines = [line.split(" ") for line in read(os.path.join(folder, "metrics", key)).splitlines()]
        got = [[int(ts), float(v), int(step)] for ts, v, step in lines]
        check(got == points, f"run {r['id']} metric {key!r} {got} == {points}")
    check_inputs(root, folder, r)
    check_mlmodel(folder, r)


def check_inputs(root, folder, r):
    inputs = os.path.join(folder, "inputs")
    if r["dataset"] is None:
        check(not os.path.exists(inputs), f"run {r['id']} has no inputs/")
        return
    ids = os.listdir(inputs)
    check(len(ids) == 1, f"run {r['id']} has one input ({ids})")
    link = load(os.path.join(inputs, ids[0], "meta.yaml"))
    check(link["source_type"] == "DATASET" and link["destination_type"] == "RUN", "input vertex types")
    check(link["destination_id"] == r["id"], "input destination is the run")
    check(link["tags"] == {"mlflow.data.context": "training"}, f"input tags {link['tags']}")
    dataset = load(os.path.join(root, r["experiment_id"], "datasets", link["source_id"], "meta.yaml"))
    d = r["dataset"]
    check(dataset["digest"] == d["sha256"], "dataset digest is the sha256")
    check(dataset["name"] == os.path.basename(d["path"]), f"dataset name {dataset['name']!r}")
    check(dataset["source_type"] == "local", "dataset source_type")
    check(uri_path(json.loads(dataset["source"])["uri"]) == d["path"], "dataset source uri decodes to the path")
    check(json.loads(dataset["profile"]) == {"num_rows": d["rows"]}, "dataset profile has the rows")


def check_mlmodel(folder, r):
    path = os.path.join(folder, "artifacts", "bundle", "MLmodel")
    if r["bundle"] is None:
        check(not os.path.exists(path), f"run {r['id']} has no MLmodel")
        return
    m = load(path)
    b = r["bundle"]
    check(m["artifact_path"] == "bundle" and m["run_id"] == r["id"], "MLmodel artifact_path and run_id")
    check(m["flavors"]["loanrisk"]["family"] == b["family"], "MLmodel loanrisk flavour family")
    check(m["flavors"]["loanrisk"]["bundle_format_version"] == b["format_version"], "bundle format version")
    if b["xgboost"]:
        data = m["flavors"]["xgboost"]["data"]
        check(os.path.isfile(os.path.join(folder, "artifacts", "bundle", data)), f"xgboost flavour data {data} exists")
    else:
        check("xgboost" not in m["flavors"], "no xgboost flavour without a booster")
    inputs = json.loads(m["signature"]["inputs"])
    check([c["name"] for c in inputs] == b["inputs"], f"signature inputs {[c['name'] for c in inputs]}")
    check(json.loads(m["signature"]["outputs"]) == [{"type": "double", "required": True}], "signature outputs")
    check(isinstance(m["model_uuid"], str) and len(m["model_uuid"]) == 32, "model_uuid")
    check(isinstance(m["utc_time_created"], str) and isinstance(m["mlflow_version"], str), "times and version are strings")


def check_model(root, m):
    folder = os.path.join(root, "models", m["name"])
    meta = load(os.path.join(folder, "meta.yaml"))
    check(meta["name"] == m["name"] and meta["description"] == m["description"], f"model {m['name']} meta")
    check(meta["creation_timestamp"] == m["created"] and meta["last_updated_timestamp"] == m["updated"],
          f"model {m['name']} timestamps")
    aliases_dir = os.path.join(folder, "aliases")
    got = {a: read(os.path.join(aliases_dir, a)) for a in os.listdir(aliases_dir)} if os.path.isdir(aliases_dir) else {}
    check(got == {a: str(v) for a, v in m["aliases"].items()}, f"model {m['name']} aliases {got}")
    for v in m["versions"]:
        vfolder = os.path.join(folder, f"version-{v['version']}")
        meta = load(os.path.join(vfolder, "meta.yaml"))
        want = {"name": m["name"], "version": v["version"], "run_id": v["run_id"], "description": v["description"],
                "status": "READY", "current_stage": "Archived" if v["status"] == "ARCHIVED" else "None",
                "user_id": v["user"], "creation_timestamp": v["created"]}
        for key, value in want.items():
            check(meta.get(key) == value, f"{m['name']} v{v['version']} {key} {meta.get(key)!r} == {value!r}")
        source = uri_path(meta["source"])
        check(os.path.isfile(os.path.join(source, "MLmodel")), f"version source {source} holds an MLmodel")
        check(meta["storage_location"] == meta["source"], "storage_location is the source")
        for key, value in v["tags"].items():
            check(read(os.path.join(vfolder, "tags", key)) == value, f"version tag {key!r}")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    root = os.path.abspath(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        expected = json.load(f)
    files = check_every_yaml_parses(root)
    check(os.path.isdir(os.path.join(root, ".trash")), ".trash/ exists")
    for e in expected["experiments"]:
        check_experiment(root, e)
    for r in expected["runs"]:
        check_run(root, r)
    for m in expected["models"]:
        check_model(root, m)
    print(f"{files} YAML files read; {len(expected['experiments'])} experiments, {len(expected['runs'])} runs, "
          f"{len(expected['models'])} models checked; {len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
