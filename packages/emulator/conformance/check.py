"""Conformance of the comet-ts emulator with Comet's official Python SDK (comet_ml 3.58.8).

Every read method of the Python Panels API (shared/seed/python-panels-api.md) and the read
methods of APIExperiment are called through the real SDK against the emulator, and what the SDK
returns is compared with what the dataset holds (expected.json, computed from the dataset by
expectations.ts, not from the emulator's answers).

Where comet_ml 3.58.8 has no method of the seed's name on `API` (the seed documents the Panels
API, whose `API.get_experiment_X(key)` methods are the SDK's REST client calls), the check calls
the SDK's REST client method of that name (`api._client.get_experiment_X(key)`) and, where one
exists, the matching `APIExperiment` method too. The binding used is in each result.

Usage: python check.py --expected FILE --report FILE   (COMET_URL_OVERRIDE, COMET_API_KEY set)
"""

import argparse
import datetime
import hashlib
import io
import json
import os
import re
import sys
import tempfile
import traceback
import zipfile

import comet_ml
from comet_ml import API
from comet_ml.exceptions import CometRestApiException
from comet_ml.query import Environment, Metadata, Metric, Other, Parameter, Tag
from comet_ml.semantic_version import SemanticVersion

RESULTS = []


class Mismatch(Exception):
    pass


def eq(actual, expected, path="value"):
    """Deep equality with a readable first difference."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            raise Mismatch(f"{path}: expected an object, got {type(actual).__name__}: {str(actual)[:200]}")
        missing = [k for k in expected if k not in actual]
        extra = [k for k in actual if k not in expected]
        if missing or extra:
            raise Mismatch(f"{path}: keys differ (missing {missing[:8]}, unexpected {extra[:8]})")
        for k in expected:
            eq(actual[k], expected[k], f"{path}.{k}")
        return
    if isinstance(expected, list):
        if not isinstance(actual, (list, tuple)):
            raise Mismatch(f"{path}: expected a list, got {type(actual).__name__}: {str(actual)[:200]}")
        if len(actual) != len(expected):
            raise Mismatch(f"{path}: expected {len(expected)} items, got {len(actual)}")
        for i, (a, e) in enumerate(zip(actual, expected)):
            eq(a, e, f"{path}[{i}]")
        return
    if isinstance(expected, bool) or expected is None or isinstance(actual, bool):
        if actual is not expected and actual != expected or type(actual) is not type(expected):
            raise Mismatch(f"{path}: expected {expected!r}, got {actual!r}")
        return
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        if float(actual) != float(expected):
            raise Mismatch(f"{path}: expected {expected!r}, got {actual!r}")
        return
    if actual != expected or type(actual) is not type(expected):
        raise Mismatch(f"{path}: expected {expected!r} ({type(expected).__name__}), got {actual!r} ({type(actual).__name__})")


def same_set(actual, expected, path="value"):
    eq(sorted(actual), sorted(expected), path)


def check(method, binding):
    def register(fn):
        try:
            detail = fn()
        except Mismatch as e:
            RESULTS.append({"method": method, "binding": binding, "ok": False, "detail": str(e)[:800]})
            return fn
        except Exception as e:  # the SDK raised: a conformance failure, with its message
            tb = traceback.format_exc(limit=3)
            RESULTS.append(
                {"method": method, "binding": binding, "ok": False, "detail": f"{type(e).__name__}: {e}"[:500] + "\n" + tb[-600:]}
            )
            return fn
        RESULTS.append({"method": method, "binding": binding, "ok": True, "detail": detail or ""})
        return fn

    return register


def sha(b):
    return hashlib.sha256(b).hexdigest()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--expected", required=True)
    parser.add_argument("--results", required=True)
    args = parser.parse_args()
    X = json.load(open(args.expected))
    assert comet_ml.__version__ == "3.58.8", comet_ml.__version__

    api = API()
    # One client without the response cache, so repeated reads really reach the server.
    api_nocache = API(cache=False)

    ws = "local-dev"
    proj = "mnist-sweep"
    path = f"{ws}/{proj}"
    rich = X["details"][X["keys"]["rich"]]
    model_exp = X["details"][X["keys"]["model"]]
    plain = X["details"][X["keys"]["plain"]]
    archived = X["details"][X["keys"]["archived"]]
    project_of = {p["projectName"]: p for p in X["projects"][ws]}

    # ---- the version probe -------------------------------------------------------------
    @check("backend version probe", "api._client.get_api_backend_version()")
    def _():
        v = api._client.get_api_backend_version()
        eq(str(v), "4.3.385")

    # ---- workspaces, account ------------------------------------------------------------
    @check("API.get_workspaces", "api.get_workspaces()")
    def _():
        eq(api.get_workspaces(), X["workspaces"])

    @check("API.get", "api.get()")
    def _():
        eq(api.get(), X["workspaces"])

    @check("API.get_account_details", "api.get_account_details()")
    def _():
        eq(api.get_account_details(), X["account"])

    @check("API.get_default_workspace", "api.get_default_workspace()")
    def _():
        eq(api.get_default_workspace(), X["account"]["defaultWorkspaceName"])

    # ---- projects ----------------------------------------------------------------------
    @check("API.get_projects", "api.get_projects(ws)")
    def _():
        eq(api.get_projects(ws), [p["projectName"] for p in X["projects"][ws]])

    @check("API.get (workspace)", "api.get(ws)")
    def _():
        eq(api.get(ws), [p["projectName"] for p in X["projects"][ws]])

    @check("API.get_project", "api.get_project(ws, proj)")
    def _():
        eq(api.get_project(ws, proj), project_of[proj])
        eq(api.get_project(ws, "no-such-project"), None, "unknown project")

    @check("API.get_project (by id)", "api.get_project_by_id(project_id)")
    def _():
        eq(api.get_project_by_id(project_of[proj]["projectId"]), project_of[proj])
        eq(api.get_project_by_id("0" * 32), None, "unknown project id")

    @check("API.get_project_notes", "api.get_project_notes(ws, proj) (3.58.8 takes ws, proj; the seed's project_id form is api._client.get_project_notes_by_id)")
    def _():
        eq(api.get_project_notes(ws, proj), X["notes"][path])
        eq(api._client.get_project_notes_by_id(project_of[proj]["projectId"]), X["notes"][path], "by id")

    @check("API.get_project_columns", "api._client.get_project_columns(ws, proj)")
    def _():
        cols = api._client.get_project_columns(ws, proj)["columns"]
        for c in cols:
            eq(c["id"], f"{c['name']}--{c['source']}", "column id")
        same_set([(c["name"], c["type"], c["source"]) for c in cols], [tuple(c) for c in X["columns"][path]])

    @check("API.get_query_variables", "api.get_query_variables(ws, proj)")
    def _():
        classes = {"metadata": "Metadata", "metrics": "Metric", "params": "Parameter", "log_other": "Other", "tag": "Tag", "env_details": "Environment"}
        got = []
        for v in api.get_query_variables(ws, proj):
            if isinstance(v, Tag):
                got.append(("Tag", v.lhs.name))
            else:
                got.append((type(v).__name__, v.name))
        same_set(got, [(classes[c[2]], c[0]) for c in X["columns"][path]])

    # ---- experiment lists --------------------------------------------------------------
    exps = X["experiments"][path]

    @check("API.get_experiments", "api.get_experiments(ws, proj)")
    def _():
        got = api.get_experiments(ws, proj)
        same_set([e.id for e in got], exps["active"])
        for e in got:
            eq(e.archived, False, f"{e.id}.archived")

    @check("API.get_experiments (workspace)", "api.get_experiments(ws)")
    def _():
        expected = []
        for p in X["projects"][ws]:
            expected += X["experiments"][f"{ws}/{p['projectName']}"]["active"]
        same_set([e.id for e in api.get_experiments(ws)], expected)

    @check("API.get_experiments (pattern)", "api.get_experiments(ws, proj, pattern)")
    def _():
        name = sorted(exps["byName"])[0]
        prefix = name.split("_")[0]
        expected = [k for n, k in exps["byName"].items() if re.match(prefix + "_", n)]
        expected += [k for k in exps["active"] if re.match(prefix + "_", k) and k not in expected]
        same_set([e.id for e in api.get_experiments(ws, proj, prefix + "_.*")], expected)

    @check("API.get (workspace, project)", "api.get(ws, proj)")
    def _():
        same_set([e.id for e in api.get(ws, proj)], exps["active"])

    @check("API.get_archived_experiments", "api.get_archived_experiments(ws, proj)")
    def _():
        got = api.get_archived_experiments(ws, proj)
        same_set([e.id for e in got], exps["archived"])
        for e in got:
            eq(e.archived, True, f"{e.id}.archived")

    @check("API.get_project_experiments", "api._get_project_experiments(ws, proj) (dict key → metadata)")
    def _():
        got = api._get_project_experiments(ws, proj)
        same_set(list(got.keys()), exps["active"])
        eq(got[rich["key"]], rich["listEntry"], "metadata of one experiment")

    @check("API.get_experiments (paged)", "api.get_experiments(ws, proj, page=2, page_size=5, sort_by='startTime', sort_order='asc')")
    def _():
        recs = sorted([r for r in X["records"][path] if not r["archived"]], key=lambda r: r["start"])
        got = api.get_experiments(ws, proj, page=2, page_size=5, sort_by="startTime", sort_order="asc")
        eq([e.id for e in got], [r["key"] for r in recs[5:10]])

    # ---- single experiments ------------------------------------------------------------
    def check_api_experiment(e, d):
        eq(e.id, d["key"], "id")
        eq(e.key, d["key"], "key")
        eq(e.workspace, d["workspace"], "workspace")
        eq(e.project_name, d["project"], "project_name")
        eq(e.project_id, d["projectId"], "project_id")
        eq(e.archived, d["metadata"]["archived"], "archived")
        eq(e.start_server_timestamp, d["metadata"]["startTimeMillis"], "start_server_timestamp")
        eq(e.end_server_timestamp, d["metadata"]["endTimeMillis"], "end_server_timestamp")
        eq(e.duration_millis, d["metadata"]["durationMillis"], "duration_millis")
        eq(e.name, d["metadata"]["experimentName"], "name")

    @check("API.get_experiment", "api.get_experiment(ws, proj, key)")
    def _():
        check_api_experiment(api.get_experiment(ws, proj, rich["key"]), rich)

    @check("API.get (workspace/project/key)", "api.get('ws/proj/key')")
    def _():
        check_api_experiment(api.get(f"{ws}/{proj}/{rich['key']}"), rich)

    @check("API.get_experiment_by_key", "api.get_experiment_by_key(key)")
    def _():
        check_api_experiment(api.get_experiment_by_key(rich["key"]), rich)
        eq(api.get_experiment_by_key("f" * 32), None, "unknown key")

    @check("API.get_experiment_by_id", "api.get_experiment_by_id(key)")
    def _():
        check_api_experiment(api.get_experiment_by_id(plain["key"]), plain)

    @check("API.get_experiment_by_name", "api.get_experiment(ws, proj, name) (metadata 404, then name lookup)")
    def _():
        name = plain["metadata"]["experimentName"]
        check_api_experiment(api.get_experiment(plain["workspace"], plain["project"], name), plain)
        eq(api.get_experiment(ws, proj, "no_such_name_42"), None, "unknown name")

    @check("API.get_archived_experiment", "api.get_archived_experiment(ws, proj, key)")
    def _():
        e = api.get_archived_experiment(archived["workspace"], archived["project"], archived["key"])
        check_api_experiment(e, archived)

    @check("API.get_experiment_metadata", "api._client.get_experiment_metadata(key); APIExperiment.get_metadata()")
    def _():
        eq(api._client.get_experiment_metadata(rich["key"]), rich["metadata"])
        eq(api.get_experiment_by_key(plain["key"]).get_metadata(), plain["metadata"])

    @check("API.get_experiment_name", "APIExperiment.name (metadata) and APIExperiment.get_name() (log-other Name)")
    def _():
        e = api.get_experiment_by_key(rich["key"])
        eq(e.name, rich["metadata"]["experimentName"])
        names = [o["valueCurrent"] for o in rich["others"] if o["name"] == "Name"]
        eq(e.get_name(), names[0] if len(names) == 1 else None, "get_name()")

    @check("API.get_experiment_url", "APIExperiment.url")
    def _():
        server = os.environ["COMET_URL_OVERRIDE"].split("/clientlib")[0].rstrip("/")
        eq(api.get_experiment_by_key(rich["key"]).url, f"{server}/{ws}/{proj}/{rich['key']}")
        a = api.get_experiment_by_key(archived["key"])
        eq(a.url, f"{server}/{archived['workspace']}/{archived['project']}/archive/{archived['key']}", "archived")

    # ---- per-experiment reads ------------------------------------------------------------
    e_rich = api.get_experiment_by_key(rich["key"])
    e_plain = api.get_experiment_by_key(plain["key"])
    e_model = api.get_experiment_by_key(model_exp["key"])

    @check("API.get_experiment_tags", "api._client.get_experiment_tags(key); APIExperiment.get_tags()")
    def _():
        eq(api._client.get_experiment_tags(rich["key"]), {"tags": rich["tags"]})
        eq(e_plain.get_tags(), plain["tags"])

    @check("API.get_experiment_code", "api._client.get_experiment_code(key); APIExperiment.get_code()")
    def _():
        eq(api._client.get_experiment_code(rich["key"]), {"code": rich["code"]})
        eq(e_plain.get_code(), plain["code"])

    @check("API.get_experiment_output", "api._client.get_experiment_output(key); APIExperiment.get_output()")
    def _():
        eq(api._client.get_experiment_output(rich["key"]), {"output": rich["output"]})
        eq(e_plain.get_output(), plain["output"])

    @check("API.get_experiment_html", "api._client.get_experiment_html(key); APIExperiment.get_html()")
    def _():
        eq(api._client.get_experiment_html(rich["key"]), {"html": rich["html"]})
        eq(e_plain.get_html(), plain["html"], "no html → None")

    @check("API.get_experiment_graph", "api._client.get_experiment_model_graph(key) (alias of get_model_graph)")
    def _():
        eq(api._client.get_experiment_model_graph(rich["key"]), {"graph": rich["graph"]})

    @check("API.get_experiment_model_graph", "APIExperiment.get_model_graph()")
    def _():
        eq(e_rich.get_model_graph(), rich["graph"])

    @check("API.get_model_graph", "api._client.get_experiment_model_graph(key)['graph']")
    def _():
        eq(api._client.get_experiment_model_graph(plain["key"])["graph"], plain["graph"])
        json.loads(plain["graph"])

    @check("API.get_experiment_installed_packages", "api._client.get_experiment_installed_packages(key); APIExperiment.get_installed_packages()")
    def _():
        eq(api._client.get_experiment_installed_packages(rich["key"]), rich["systemDetails"]["installedPackages"])
        eq(e_plain.get_installed_packages(), plain["systemDetails"]["installedPackages"])

    @check("APIExperiment.get_system_details", "APIExperiment.get_system_details()")
    def _():
        eq(e_rich.get_system_details(), rich["systemDetails"])

    getters = {
        "get_os_packages": "osPackages", "get_user": "user", "get_python_version": "pythonVersion",
        "get_python_version_verbose": "pythonVersionVerbose", "get_pid": "pid", "get_os_type": "osType",
        "get_os": "os", "get_os_release": "osRelease", "get_ip": "ip", "get_hostname": "hostname",
        "get_gpu_static_info": "gpuStaticInfoList", "get_additional_system_info": "logAdditionalSystemInfoList",
        "get_system_metric_names": "systemMetricNames", "get_max_memory": "maxTotalMemory",
        "get_network_interface_ips": "networkInterfaceIps", "get_command": "command", "get_executable": "executable",
        "get_total_memory": "totalRam", "get_machine": "machine", "get_processor": "processor",
        "get_environment_details": "osPackages",
    }
    for getter, field in getters.items():
        def run(getter=getter, field=field):
            eq(getattr(e_plain, getter)(), plain["systemDetails"][field])
        check(f"APIExperiment.{getter}", f"APIExperiment.{getter}() → system-details['{field}']")(run)

    @check("API.get_experiment_parameters_summaries", "api._client.get_experiment_parameters_summaries(key); APIExperiment.get_parameters_summary([name])")
    def _():
        eq(api._client.get_experiment_parameters_summaries(rich["key"]), {"values": rich["params"]})
        eq(e_rich.get_parameters_summary(), rich["params"], "all")
        eq(e_rich.get_parameters_summary("optimizer"), [p for p in rich["params"] if p["name"] == "optimizer"][0], "one")
        eq(e_rich.get_parameters_summary("no_such_param"), [], "unknown")

    @check("API.get_experiment_metrics_summaries", "api._client.get_experiment_metrics_summaries(key); APIExperiment.get_metrics_summary([name])")
    def _():
        eq(api._client.get_experiment_metrics_summaries(rich["key"]), {"values": rich["metricsSummary"]})
        eq(e_plain.get_metrics_summary(), plain["metricsSummary"], "all")
        eq(e_plain.get_metrics_summary("loss"), [m for m in plain["metricsSummary"] if m["name"] == "loss"][0], "one")

    @check("API.get_experiment_others_summaries", "api._client.get_experiment_others_summaries(key); APIExperiment.get_others_summary([name])")
    def _():
        eq(api._client.get_experiment_others_summaries(rich["key"]), {"values": rich["others"]})
        eq(e_rich.get_others_summary(), rich["others"], "all")
        eq(e_rich.get_others_summary("dataset"), [o["valueCurrent"] for o in rich["others"] if o["name"] == "dataset"], "one")

    @check("API.get_experiment_metric", "api._client.get_experiment_metric(key, name); APIExperiment.get_metrics(name)")
    def _():
        eq(api._client.get_experiment_metric(rich["key"], "loss"), {"metrics": rich["metrics"]["loss"]})
        eq(e_plain.get_metrics("val_accuracy"), plain["metrics"]["val_accuracy"], "get_metrics(name)")
        eq(e_plain.get_metrics("no_such_metric"), [], "unknown metric")

    @check("APIExperiment.get_metrics (all, backend ≥ 3.20.60)", "APIExperiment.get_metrics() → experiment/metrics/get-all (one request; points in logging order)")
    def _():
        # Comet lists every point once, in logging order: by timestamp, then metric order, then offset.
        names = plain["metricNames"]
        points = [p for n in names for p in plain["metrics"][n]]
        expected = sorted(points, key=lambda p: (p["timestamp"], names.index(p["metricName"]), p["offset"]))
        eq(e_plain.get_metrics(), expected)

    @check("APIExperiment.get_metrics (all, older backend)", "APIExperiment.get_metrics() with backend 3.0.0 → column-names + get-metric per name")
    def _():
        legacy = API(cache=False)
        legacy._client.backend_version = SemanticVersion.parse("3.0.0")
        e = legacy.get_experiment_by_key(plain["key"])
        # The SDK concatenates get-metric per metric column, in the order column-names lists them.
        names = [c["name"] for c in legacy._client.get_project_columns(ws, proj)["columns"] if c["source"] == "metrics"]
        same_set(names, [c[0] for c in X["columns"][path] if c[2] == "metrics"], "metric columns")
        expected = [p for n in names for p in plain["metrics"].get(n, [])]
        eq(e.get_metrics(), expected)

    # ---- assets ---------------------------------------------------------------------------
    def asset_entry_ok(got, exp, path):
        for k in ["assetId", "fileName", "fileSize", "runContext", "step", "remote", "createdAt", "dir", "type", "image", "audio", "video", "metadata", "tags"]:
            eq(got[k], exp[k], f"{path}.{k}")
        for k in ["link", "compressedAssetLink", "curlDownload", "canView", "histogram"]:
            if k not in got:
                raise Mismatch(f"{path}: no key {k}")

    @check("API.get_experiment_asset_list", "api._client.get_experiment_asset_list(key, type); APIExperiment.get_asset_list(type)")
    def _():
        got = api._client.get_experiment_asset_list(rich["key"], "all")
        eq(len(got), len(rich["assets"]), "count")
        for g, e in zip(got, rich["assets"]):
            asset_entry_ok(g, e, f"assets[{e['fileName']}]")
        for t in ["image", "curve", "asset", "audio"]:
            got = e_rich.get_asset_list(t)
            eq([a["assetId"] for a in got], [a["assetId"] for a in rich["assets"] if a["type"] == t], f"type={t}")

    @check("API.get_experiment_asset", "api._client.get_experiment_asset(asset_id, key, return_type); APIExperiment.get_asset(id, return_type)")
    def _():
        for a in rich["assets"]:
            if a["remote"]:
                continue
            got = api._client.get_experiment_asset(a["assetId"], experiment_key=rich["key"], return_type="binary")
            eq(sha(got), a["sha256"], f"{a['fileName']} sha256")
            eq(len(got), a["fileSize"], f"{a['fileName']} size")
        cfg = [a for a in rich["assets"] if a["text"] is not None and not a["remote"]][0]
        eq(e_rich.get_asset(cfg["assetId"], return_type="text"), cfg["text"], "text")
        curve = [a for a in rich["assets"] if a["type"] == "curve"][0]
        eq(e_rich.get_asset(curve["assetId"], return_type="json"), curve["json"], "json")

    @check("API.get_experiment_asset (streamed, large)", "APIExperiment.get_asset(id, return_type='response', stream=True)")
    def _():
        big = [a for a in rich["assets"] if a["fileName"] == "checkpoint.bin"][0]
        resp = e_rich.get_asset(big["assetId"], return_type="response", stream=True)
        h = hashlib.sha256()
        n = 0
        for chunk in resp.iter_content(chunk_size=1 << 20):
            h.update(chunk)
            n += len(chunk)
        eq(n, big["fileSize"], "bytes")
        eq(h.hexdigest(), big["sha256"], "sha256")
        eq(resp.headers["content-type"], "application/octet-stream", "content-type")

    @check("API.download_experiment_asset", "api.download_experiment_asset(key, asset_id, path) (allow301, 200 streamed to a file)")
    def _():
        big = [a for a in rich["assets"] if a["fileName"] == "checkpoint.bin"][0]
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "checkpoint.bin")
            api.download_experiment_asset(rich["key"], big["assetId"], path)
            eq(sha(open(path, "rb").read()), big["sha256"])

    @check("API.get_experiment_asset_by_name", "APIExperiment.get_asset_by_name(name) (backend ≥ 4.3.385: experiment/asset/get-by-name)")
    def _():
        cfg = [a for a in rich["assets"] if a["fileName"] == "config.yaml"][0]
        eq(e_rich.get_asset_by_name("config.yaml", return_type="text"), cfg["text"])
        eq(e_rich.get_asset_by_name("no-such-file.txt"), None, "unknown name")

    @check("API.get_experiment_asset_by_name (older backend)", "APIExperiment.get_asset_by_name(name) with backend 3.0.0 (asset list scan)")
    def _():
        legacy = API(cache=False)
        legacy._client.backend_version = SemanticVersion.parse("3.0.0")
        e = legacy.get_experiment_by_key(rich["key"])
        cfg = [a for a in rich["assets"] if a["fileName"] == "config.yaml"][0]
        eq(e.get_asset_by_name("config.yaml", return_type="text"), cfg["text"])

    @check("APIExperiment.get_assets_by_name", "APIExperiment.get_assets_by_name(name)")
    def _():
        img = [a for a in rich["assets"] if a["type"] == "image"][0]
        got = e_rich.get_assets_by_name(img["fileName"])
        eq([sha(b) for b in got], [img["sha256"]])

    @check("API.get_experiment_images", "api._client.get_experiment_asset_list(key, 'image') + get_experiment_asset(id) each (PNG bytes)")
    def _():
        images = api._client.get_experiment_asset_list(rich["key"], "image")
        expected = [a for a in rich["assets"] if a["type"] == "image"]
        eq([a["assetId"] for a in images], [a["assetId"] for a in expected])
        for a, x in zip(images, expected):
            b = api._client.get_experiment_asset(a["assetId"], experiment_key=rich["key"])
            eq(b[:8], b"\x89PNG\r\n\x1a\n", "PNG signature")
            eq(sha(b), x["sha256"], "bytes")

    @check("API.get_experiment_curves", "APIExperiment.get_curves() (asset/list?type=curve + get-asset json)")
    def _():
        expected = [dict(a["json"], step=a["step"], assetId=a["assetId"]) for a in rich["assets"] if a["type"] == "curve"]
        eq(e_rich.get_curves(), expected)

    @check("APIExperiment.get_curve", "APIExperiment.get_curve(asset_id)")
    def _():
        c = [a for a in rich["assets"] if a["type"] == "curve"][0]
        eq(e_rich.get_curve(c["assetId"]), dict(c["json"], step=c["step"], assetId=c["assetId"]))

    @check("APIExperiment.get_git_metadata", "APIExperiment.get_git_metadata()")
    def _():
        eq(e_rich.get_git_metadata(), rich["git"])

    @check("APIExperiment.get_git_patch", "APIExperiment.get_git_patch() (None when the server says {\"msg\"…})")
    def _():
        for e, d in [(e_rich, rich), (e_plain, plain)]:
            got = e.get_git_patch()
            if d["gitPatchSha256"] is None:
                eq(got, None, f"{d['key']} no patch")
            else:
                eq(sha(got), d["gitPatchSha256"], f"{d['key']} patch bytes")
                zipfile.ZipFile(io.BytesIO(got)).read("git_diff.patch")

    # ---- models -----------------------------------------------------------------------------
    @check("API.get_experiment_models", "api._client.get_experiment_models(key); APIExperiment.get_model_names()")
    def _():
        expected = [{k: m[k] for k in ["experimentModelId", "experimentKey", "modelName", "registryRecords"]} for m in model_exp["models"]]
        eq(api._client.get_experiment_models(model_exp["key"]), expected)
        same_set(e_model.get_model_names(), [m["modelName"] for m in model_exp["models"]], "names")

    @check("API.get_experiment_model_asset_list", "api._client.get_experiment_model_asset_list(key, name); APIExperiment.get_model_asset_list(name)")
    def _():
        m = model_exp["models"][0]
        got = api._client.get_experiment_model_asset_list(model_exp["key"], m["modelName"])
        eq(len(got), len(m["assets"]))
        for g, e in zip(got, m["assets"]):
            asset_entry_ok(g, e, f"model asset {e['fileName']}")
        eq([a["assetId"] for a in e_model.get_model_asset_list(m["modelName"])], [a["assetId"] for a in m["assets"]])

    @check("APIExperiment.download_model", "APIExperiment.download_model(name, output_path) (zip of the model files)")
    def _():
        m = model_exp["models"][0]
        with tempfile.TemporaryDirectory() as d:
            e_model.download_model(m["modelName"], output_path=d, expand=True)
            got = {}
            for root, _, files in os.walk(d):
                for f in files:
                    full = os.path.join(root, f)
                    got[os.path.relpath(full, d)] = sha(open(full, "rb").read())
            eq(got, m["files"])

    @check("APIExperiment.get_state", "APIExperiment.get_state()")
    def _():
        md = rich["metadata"]
        eq(e_rich.get_state(), "running" if md["running"] else "crashed" if md["hasCrashed"] else "finished")

    @check("APIExperiment.to_json", "APIExperiment.to_json(full=True) (every read at once)")
    def _():
        j = e_plain.to_json(full=True)
        eq(j["id"], plain["key"])
        eq(j["tags"], plain["tags"])
        eq(j["parameters_summary"], plain["params"])
        eq(j["system_details"], plain["systemDetails"])

    # ---- multi-metric chart -------------------------------------------------------------------
    for i, case in enumerate(X["charts"]):
        def run(case=case):
            got = api.get_metrics_for_chart(case["keys"], case["metrics"], case["params"], independent=case["independent"], full=case["full"])
            eq(got, case["expected"])
            return f"{len(case['keys'])} experiments, metrics {case['metrics']}, independent={case['independent']}, full={case['full']}"
        check(f"API.get_metrics_for_chart #{i + 1}", "api.get_metrics_for_chart(keys, metrics, params, independent, full)")(run)

    @check("API.get_metrics_for_chart (no metrics)", "api.get_metrics_for_chart(keys, [])")
    def _():
        eq(api.get_metrics_for_chart(X["charts"][0]["keys"], []), [])
        raw = api._client.get_experiment_multi_metrics(X["charts"][0]["keys"], [], None, True, False).json()
        eq(raw, {"experiments": {}, "empty": True}, "raw answer")

    # ---- panels -------------------------------------------------------------------------------
    @check("API.get_panel_workspace", "api.get_panel_workspace() (COMET_WORKSPACE)")
    def _():
        eq(api.get_panel_workspace(), ws)

    @check("API.get_panel_project_name", "api.get_panel_project_name() (COMET_PROJECT_NAME)")
    def _():
        eq(api.get_panel_project_name(), proj)

    @check("API.get_panel_project_id", "api.get_panel_project_id()")
    def _():
        eq(api.get_panel_project_id(), project_of[proj]["projectId"])

    @check("API.get_panel_experiment_keys", "api.get_panel_experiment_keys()")
    def _():
        same_set(api.get_panel_experiment_keys(), exps["active"])

    @check("API.get_panel_experiments", "api.get_panel_experiments()")
    def _():
        same_set([e.id for e in api.get_panel_experiments()], exps["active"])

    @check("API.get_panel_metrics_names", "api.get_panel_metrics_names()")
    def _():
        expected = sorted(c[0] for c in X["columns"][path] if c[2] == "metrics" and not c[0].startswith("sys."))
        eq(api.get_panel_metrics_names(), expected)

    @check("API.get_panel_options", "api.get_panel_options() (panel runtime config; no REST call)")
    def _():
        eq(api.get_panel_options(), {})

    # ---- access control and errors -------------------------------------------------------------
    @check("access control", "a key sees only its workspaces (403 workspace, 404 experiment, 401 bad key)")
    def _():
        hidden = X["hiddenWorkspace"]
        if hidden in api.get_workspaces():
            raise Mismatch(f"{hidden} should not be visible")
        try:
            api.get_projects(hidden)
            raise Mismatch("get_projects of a hidden workspace succeeded")
        except CometRestApiException as e:
            eq(e.response.status_code, 403, "status")
            eq(e.response.json()["code"], 403, "error body code")
        eq(api.get_experiment_by_key(X["hiddenExperiment"]), None, "hidden experiment is not found")
        other = API(api_key=X["otherKey"])
        if hidden not in other.get_workspaces():
            raise Mismatch("the other key does not see its own workspace")
        try:
            API(api_key="not-a-key").get_workspaces()
            raise Mismatch("a bad key was accepted")
        except CometRestApiException as e:
            eq(e.response.status_code, 401, "status")
            body = e.response.json()
            eq(body["code"], 401)
            eq(body["sdk_error_code"], 90212)

    # ---- queries --------------------------------------------------------------------------------
    records = X["records"][path]
    active = [r for r in records if not r["archived"]]
    by_key = {r["key"]: r for r in records}
    some = active[len(active) // 2]
    loss_mid = sorted(r["metrics"]["loss"] for r in active)[len(active) // 2]
    acc_mid = sorted(r["metrics"]["accuracy"] for r in active)[len(active) // 2]
    lr_vals = sorted(float(r["params"]["learning_rate"]) for r in active)
    lo, hi = lr_vals[len(lr_vals) // 4], lr_vals[3 * len(lr_vals) // 4]
    utc = datetime.timezone.utc
    mid_start = sorted(r["start"] for r in active)[len(active) // 2]
    mid_dt = datetime.datetime.fromtimestamp(mid_start / 1000, tz=utc).replace(tzinfo=None, microsecond=0)
    mid_ms = int(mid_dt.replace(tzinfo=utc).timestamp() * 1000)
    dur_mid = sorted(r["durationMillis"] for r in active)[len(active) // 2] / 1000.0
    name_some = some["name"]
    name_prefix = name_some.split("_")[0]
    name_suffix = name_some.split("_")[-1]
    hostname = some["env"]["hostname"]

    def num(v):
        return None if v is None else float(v)

    query_cases = [
        ("equal (string)", Parameter("optimizer") == "adam", lambda r: r["params"].get("optimizer") == "adam"),
        ("not_equal (string)", Parameter("optimizer") != "adam", lambda r: r["params"].get("optimizer") is not None and r["params"]["optimizer"] != "adam"),
        ("less (metric)", Metric("loss") < loss_mid, lambda r: r["metrics"].get("loss") is not None and r["metrics"]["loss"] < loss_mid),
        ("less_or_equal", Metric("loss") <= loss_mid, lambda r: r["metrics"].get("loss") is not None and r["metrics"]["loss"] <= loss_mid),
        ("greater", Metric("accuracy") > acc_mid, lambda r: r["metrics"].get("accuracy") is not None and r["metrics"]["accuracy"] > acc_mid),
        ("greater_or_equal", Metric("accuracy") >= acc_mid, lambda r: r["metrics"].get("accuracy") is not None and r["metrics"]["accuracy"] >= acc_mid),
        ("equal (double param)", Parameter("batch_size") == 64, lambda r: num(r["params"].get("batch_size")) == 64),
        ("between", Parameter("learning_rate").between(lo, hi), lambda r: r["params"].get("learning_rate") is not None and lo <= float(r["params"]["learning_rate"]) <= hi),
        ("not_between", ~Parameter("learning_rate").between(lo, hi), lambda r: r["params"].get("learning_rate") is not None and not (lo <= float(r["params"]["learning_rate"]) <= hi)),
        ("contains", Other("Name").contains(name_prefix), lambda r: r["others"].get("Name") is not None and name_prefix in r["others"]["Name"]),
        ("not_contains", ~Other("Name").contains(name_prefix), lambda r: r["others"].get("Name") is not None and name_prefix not in r["others"]["Name"]),
        ("begins_with", Other("Name").startswith(name_prefix), lambda r: r["others"].get("Name") is not None and r["others"]["Name"].startswith(name_prefix)),
        ("not_begins_with", ~Other("Name").startswith(name_prefix), lambda r: r["others"].get("Name") is not None and not r["others"]["Name"].startswith(name_prefix)),
        ("ends_with", Other("Name").endswith(name_suffix), lambda r: r["others"].get("Name") is not None and r["others"]["Name"].endswith(name_suffix)),
        ("not_ends_with", ~Other("Name").endswith(name_suffix), lambda r: r["others"].get("Name") is not None and not r["others"]["Name"].endswith(name_suffix)),
        ("is_null", Other("resumed_from") == None, lambda r: r["others"].get("resumed_from") is None),  # noqa: E711
        ("is_not_null", Other("resumed_from") != None, lambda r: r["others"].get("resumed_from") is not None),  # noqa: E711
        ("is_empty", Other("note") == "", lambda r: r["others"].get("note") == ""),
        ("is_not_empty", Other("note") != "", lambda r: r["others"].get("note") not in (None, "")),
        ("boolean (== True)", Parameter("augment") == True, lambda r: (r["params"].get("augment") or "").lower() == "true"),  # noqa: E712
        ("boolean (== False)", Parameter("augment") == False, lambda r: (r["params"].get("augment") or "").lower() == "false"),  # noqa: E712
        ("tag", Tag("best"), lambda r: "best" in r["tags"]),
        ("datetime (metadata)", Metadata("start_server_timestamp") < mid_dt, lambda r: r["start"] < mid_ms),
        ("timenumber (duration in seconds)", Metadata("duration") > dur_mid, lambda r: r["durationMillis"] is not None and r["durationMillis"] / 1000.0 > dur_mid),
        ("environment", Environment("hostname") == hostname, lambda r: r["env"].get("hostname") == hostname),
        ("AND across sources", (Metric("loss") < loss_mid) & (Parameter("optimizer") != "sgd") & (Metric("accuracy") > 0),
         lambda r: r["metrics"]["loss"] < loss_mid and r["params"]["optimizer"] != "sgd" and r["metrics"]["accuracy"] > 0),
        ("OR (same source)", (Parameter("optimizer") == "adam") | (Parameter("optimizer") == "sgd"), lambda r: r["params"]["optimizer"] in ("adam", "sgd")),
        ("OR (nested, across sources)", (Metric("loss") < loss_mid) | Tag("best"), lambda r: r["metrics"]["loss"] < loss_mid or "best" in r["tags"]),
        ("AND with an OR group", ((Parameter("optimizer") == "adam") | (Parameter("optimizer") == "sgd")) & (Metric("loss") < loss_mid),
         lambda r: r["params"]["optimizer"] in ("adam", "sgd") and r["metrics"]["loss"] < loss_mid),
    ]
    for label, q, pred in query_cases:
        def run(q=q, pred=pred, label=label):
            expected = [r["key"] for r in active if pred(r)]
            got = api.query(ws, proj, q)
            if got is None:
                got = []
            same_set([e.id for e in got], expected, label)
            return f"{len(expected)} of {len(active)} match"
        check(f"API.query: {label}", "api.query(ws, proj, expression)")(run)

    @check("API.query (archived=True)", "api.query(ws, proj, Metric('loss') > -1, archived=True)")
    def _():
        expected = [r["key"] for r in records if r["archived"]]
        same_set([e.id for e in api.query(ws, proj, Metric("loss") > -1, archived=True)], expected)

    @check("API.query_project", "api._client.query_project(ws, proj, predicates, archived)")
    def _():
        preds = (Metric("loss") < loss_mid).get_predicates(api._client.get_project_columns(ws, proj))
        got = api._client.query_project(ws, proj, preds, False).json()["experimentKeys"]
        same_set(got, [r["key"] for r in active if r["metrics"]["loss"] < loss_mid])

    # ---- panel report/request count: not in comet_ml 3.58.8 -------------------------------------
    for m in ["API.get_panel_report", "API.get_panel_request_count"]:
        RESULTS.append({"method": m, "binding": "(absent from comet_ml 3.58.8: nothing to compare)", "ok": None, "detail": "not applicable"})

    json.dump(RESULTS, open(args.results, "w"), indent=1)


if __name__ == "__main__":
    main()
