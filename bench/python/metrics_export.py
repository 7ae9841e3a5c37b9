"""The metrics-export benchmark, with Comet's official Python SDK (comet_ml 3.58.8).

Usage: python metrics_export.py WORKSPACE PROJECT METRIC[,METRIC…] OUT.csv
(COMET_URL_OVERRIDE and COMET_API_KEY point the SDK at the bench emulator.)

Times, with time.perf_counter, the same export `comet-ts metrics WORKSPACE/PROJECT --metric …
--full` makes: `comet_ml.API()`, `api.get_experiments(workspace, project)`, one
`api.get_metrics_for_chart(keys, metrics, full=True)` call, then the CSV (one row per experiment,
metric and logged point, the same columns) written with the csv module. The import of comet_ml
is timed apart. Prints one JSON line: {"importMs", "ms", "apiMs", "listMs", "chartMs", "csvMs",
"experiments", "rows", "valueSum", "maxRssKiB", "version"}.
"""

import csv
import json
import resource
import sys
import time

t0 = time.perf_counter()
import comet_ml  # noqa: E402

import_ms = (time.perf_counter() - t0) * 1000

workspace, project, metrics, out = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4]

t1 = time.perf_counter()
api = comet_ml.API()
t2 = time.perf_counter()
experiments = api.get_experiments(workspace, project)
keys = [e.id for e in experiments]
t3 = time.perf_counter()
chart = api.get_metrics_for_chart(keys, metrics, full=True)
t4 = time.perf_counter()

rows = 0
value_sum = 0.0
with open(out, "w", newline="") as f:
    writer = csv.writer(f, lineterminator="\n")
    writer.writerow(["experimentKey", "experimentName", "metric", "step", "epoch", "timestamp", "value"])
    for key in keys:
        e = chart.get(key)
        if e is None:
            continue
        name = e.get("experimentName")
        for m in e["metrics"]:
            values = m["values"]
            steps = m.get("steps") or []
            epochs = m.get("epochs") or []
            timestamps = m.get("timestamps") or []
            for i, v in enumerate(values):
                if v is None:
                    continue
                step = steps[i] if i < len(steps) else None
                epoch = epochs[i] if i < len(epochs) else None
                ts = timestamps[i] if i < len(timestamps) else None
                writer.writerow([key, name, m["metricName"], step, epoch, ts, v])
                rows += 1
                value_sum += v
t5 = time.perf_counter()

print(
    json.dumps(
        {
            "importMs": import_ms,
            "ms": (t5 - t1) * 1000,
            "apiMs": (t2 - t1) * 1000,
            "listMs": (t3 - t2) * 1000,
            "chartMs": (t4 - t3) * 1000,
            "csvMs": (t5 - t4) * 1000,
            "experiments": len(keys),
            "rows": rows,
            "valueSum": value_sum,
            "maxRssKiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "version": comet_ml.__version__,
        }
    )
)
