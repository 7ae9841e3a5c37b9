"""comet_ml 3.58.8's answers for the parity check (issue 14), against the emulator serving the
parity dataset (parity-dataset.ts). parity.ts asks comet-ts the same questions; parity-rules.mjs
compares the two answers item by item.

Each answer is {"value": …} or {"error": {"type": …, "status": …, "message": …}}; NaN and
±Infinity are written as the strings "NaN", "Infinity", "-Infinity".

Usage: python parity.py --facts FACTS.json --out ANSWERS.json   (COMET_URL_OVERRIDE, COMET_API_KEY set)
"""

import argparse
import datetime
import json
import math

import comet_ml
from comet_ml import API
from comet_ml.exceptions import CometRestApiException
from comet_ml.query import Metadata, Metric, Parameter, Tag


def plain(v):
    """JSON-safe: non-finite floats as strings, tuples as lists."""
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


def answer(fn):
    try:
        return {"value": plain(fn())}
    except CometRestApiException as e:
        return {"error": {"type": type(e).__name__, "status": e.response.status_code, "message": str(e)[:300]}}
    except Exception as e:  # the SDK raised (re.error, ValueError, …)
        return {"error": {"type": type(e).__name__, "status": None, "message": str(e)[:300]}}


def key_of(e):
    return None if e is None else e.id


def keys_of(es):
    return sorted(e.id for e in (es or []))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--facts", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    F = json.load(open(args.facts))
    assert comet_ml.__version__ == "3.58.8", comet_ml.__version__
    api = API(cache=False)
    ws, proj, K = F["workspace"], F["project"], F["keys"]
    A = {}

    # Names are not keys.
    A["names: get('ws/proj/name') with two runs of that name"] = answer(lambda: key_of(api.get(f"{ws}/{proj}/baseline")))
    A["names: get_experiment(ws, proj, name) with two runs of that name"] = answer(
        lambda: key_of(api.get_experiment(ws, proj, "baseline"))
    )
    A["names: a key is unambiguous"] = answer(lambda: key_of(api.get(f"{ws}/{proj}/{K['b1']}")))
    A["names: a unique name"] = answer(lambda: key_of(api.get_experiment(ws, proj, "keen_lemur")))

    # A path names one place.
    A["path: key under a project that does not exist"] = answer(lambda: key_of(api.get(f"{ws}/nope/{K['b1']}")))
    A["path: key under another project"] = answer(lambda: key_of(api.get(f"{ws}/{F['otherProject']}/{K['b1']}")))

    # Summaries by name.
    b1 = api.get_experiment_by_key(K["b1"])
    A["summary: get_others_summary(name)"] = answer(lambda: b1.get_others_summary("dataset"))
    A["summary: get_metrics_summary(name)"] = answer(lambda: b1.get_metrics_summary("loss"))
    A["summary: get_parameters_summary(name)"] = answer(lambda: b1.get_parameters_summary("opt"))
    A["summary: get_others_summary(unknown name)"] = answer(lambda: b1.get_others_summary("nope"))
    A["summary: get_metrics_summary(unknown name)"] = answer(lambda: b1.get_metrics_summary("nope"))
    A["summary: get_parameters_summary(unknown name)"] = answer(lambda: b1.get_parameters_summary("nope"))

    # get_metrics() without a name: experiment/metrics/get-all, the server's order.
    k3 = api.get_experiment_by_key(K["k3"])
    A["get_metrics(): every metric, server order (NaN, ±Infinity, a gap)"] = answer(lambda: k3.get_metrics())
    A["get_metrics(): every metric, server order"] = answer(lambda: b1.get_metrics())

    # Patterns are Python regular expressions (re.match on key or name).
    for label, pattern in [
        ("named group", "(?P<start>kee)"),
        ("inline flag", "(?i)KEEN"),
        ("re.match anchors at the start", "een"),
        ("named backreference", "p(?P<n>e)(?P=n)k"),
        ("invalid in Python", "(?P<x"),
        ("conditional group", "(a)(?(1)b|c)"),
    ]:
        A[f"pattern: {label} {pattern}"] = answer(lambda p=pattern: keys_of(api.get_experiments(ws, proj, p)))

    # Ordering on a text column (pct is string: one run logged "auto").
    A['text order: Parameter("pct") > 55'] = answer(lambda: keys_of(api.query(ws, proj, Parameter("pct") > 55)))
    A['text order: Parameter("pct") > "55"'] = answer(lambda: keys_of(api.query(ws, proj, Parameter("pct") > "55")))

    # Query syntax comet_ml accepts.
    columns = api._client.get_project_columns(ws, proj)
    utc = datetime.timezone.utc
    plus2 = datetime.timezone(datetime.timedelta(hours=2))
    A_ = Parameter("opt") == "adam"
    B_ = Metric("loss") < 0.5
    queries = {
        '~Tag("x")': ~Tag("x"),
        'Tag("x") & ~Tag("y")': Tag("x") & ~Tag("y"),
        "datetime(…, tzinfo=timezone.utc)": Metadata("start_server_timestamp") < datetime.datetime(2024, 1, 10, 14, 30, tzinfo=utc),
        "datetime(…, tzinfo=UTC+2)": Metadata("start_server_timestamp") < datetime.datetime(2024, 1, 10, 15, 30, tzinfo=plus2),
        "~A": ~(Parameter("opt") == "adam"),
        "~B": ~(Metric("loss") < 0.5),
        "~(A & B)": ~(A_ & B_),
        "~(A | B)": ~((Parameter("opt") == "adam") | (Metric("loss") < 0.5)),
    }
    for label, q in queries.items():
        A[f"query: {label}"] = answer(lambda q=q: keys_of(api.query(ws, proj, q)))
    for label in ['~Tag("x")', "datetime(…, tzinfo=UTC+2)", "~(A & B)"]:
        A[f"predicates: {label}"] = answer(lambda q=queries[label]: q.get_predicates(columns))

    # Small gaps.
    for label in ["b1", "b2", "k1"]:
        A[f"get_state(): {F['states'][label]} run"] = answer(lambda k=K[label]: api.get_experiment_by_key(k).get_state())
    A["model asset list of an unknown model"] = answer(
        lambda: api._client.get_experiment_model_asset_list(F["modelKey"], "no-such-model")
    )

    def chart():
        got = api.get_metrics_for_chart([K["k3"]], ["loss", "acc"], independent=True, full=True)
        return {m["metricName"]: m["values"] for m in got[K["k3"]]["metrics"]}

    A["chart: NaN, ±Infinity and a gap"] = answer(chart)

    json.dump(A, open(args.out, "w"), indent=1, allow_nan=False)


if __name__ == "__main__":
    main()
