"""The query-then-chart benchmark, with Comet's official Python SDK (comet_ml 3.58.8).

Usage: python query_chart.py WORKSPACE PROJECT THRESHOLD METRIC[,METRIC…]
(COMET_URL_OVERRIDE and COMET_API_KEY point the SDK at the bench emulator.)

Times, with time.perf_counter, what a panel does: `comet_ml.API()` (which reads the config),
`api.query(workspace, project, Parameter("learning_rate") < THRESHOLD)` and
`api.get_metrics_for_chart(keys, metrics)`. The import of comet_ml is timed apart. Prints one
JSON line: {"importMs", "ms", "apiMs", "queryMs", "chartMs", "experiments", "chartExperiments",
"points", "version"}.
"""

import json
import sys
import time

t0 = time.perf_counter()
import comet_ml  # noqa: E402
from comet_ml.query import Parameter  # noqa: E402

import_ms = (time.perf_counter() - t0) * 1000

workspace, project, threshold, metrics = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4].split(",")

t1 = time.perf_counter()
api = comet_ml.API()
t2 = time.perf_counter()
experiments = api.query(workspace, project, Parameter("learning_rate") < threshold)
t3 = time.perf_counter()
chart = api.get_metrics_for_chart([e.id for e in experiments], metrics)
t4 = time.perf_counter()

points = sum(len(m["values"]) for e in chart.values() for m in e["metrics"])
print(
    json.dumps(
        {
            "importMs": import_ms,
            "ms": (t4 - t1) * 1000,
            "apiMs": (t2 - t1) * 1000,
            "queryMs": (t3 - t2) * 1000,
            "chartMs": (t4 - t3) * 1000,
            "experiments": len(experiments),
            "chartExperiments": len(chart),
            "points": points,
            "version": comet_ml.__version__,
        }
    )
)
