/**
 * Query then chart: in a project of 1,000 experiments, a query matching 200, then two metrics
 * of those 200 for a chart — what a panel does. Requests (counted by the emulator) and wall time
 * for comet-ts (the facade), for the Python SDK's request pattern replayed in TypeScript with
 * plain `fetch`, and for the Python SDK itself (comet_ml 3.58.8), all against the same emulator
 * with the same 20 ms latency.
 */
import { API } from "@comet-ts/api"
import type { Column } from "@comet-ts/core"
import { compile, parse } from "@comet-ts/query"
import { Either } from "effect"
import { QUERY_MATCHES, QUERY_TEXT, SWEEP, WORKSPACE } from "./dataset.js"
import { findPython, runScript } from "./python.js"
import type { RunningServer, ServerCounts } from "./server.js"
import type { BenchContext, Benchmark, Result } from "./types.js"
import { median, now, round } from "./util.js"

const LATENCY = 20
const METRICS = ["loss", "accuracy"]
const THRESHOLD = 0.02005

interface Run {
  readonly ms: number
  readonly counts: ServerCounts
  readonly experiments: number
  readonly chartExperiments: number
  readonly points: number
}

const points = (
  chart: Readonly<Record<string, { readonly metrics: ReadonlyArray<{ readonly values: ReadonlyArray<unknown> }> }>>
) => Object.values(chart).reduce((n, e) => n + e.metrics.reduce((m, x) => m + x.values.length, 0), 0)

/** comet-ts: a new facade, `query`, then `getMetricsForChart`. */
const runOurs = async (server: RunningServer): Promise<Run> => {
  await server.reset()
  const t0 = now()
  const api = new API({ baseUrl: server.url, apiKey: server.apiKey, panel: false })
  const experiments = await api.query(WORKSPACE, SWEEP, QUERY_TEXT)
  const chart = await api.getMetricsForChart(experiments, METRICS)
  const ms = now() - t0
  await api.close()
  return {
    ms,
    counts: await server.counts(),
    experiments: experiments.length,
    chartExperiments: Object.keys(chart).length,
    points: points(chart)
  }
}

/**
 * The Python SDK's requests (comet_ml 3.58.8 `API.query` + `get_metrics_for_chart`), one after
 * the other as the SDK sends them, with plain fetch and no validation: the columns, the query,
 * one `experiment/metadata` per matching key (`API._get_experiment`), the chart.
 */
const runReplay = async (server: RunningServer): Promise<Run> => {
  await server.reset()
  const rest = `${server.url}/api/rest/v2`
  const headers = { Authorization: server.apiKey, "Content-Type": "application/json" }
  const get = async (path: string) => {
    const res = await fetch(`${rest}/${path}`, { headers })
    if (res.status !== 200) throw new Error(`replay: ${path} answered ${res.status}`)
    return res.json() as Promise<unknown>
  }
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${rest}/${path}`, { method: "POST", headers, body: JSON.stringify(body) })
    if (res.status !== 200) throw new Error(`replay: ${path} answered ${res.status}`)
    return res.json() as Promise<unknown>
  }
  const t0 = now()
  const ws = encodeURIComponent(WORKSPACE)
  const proj = encodeURIComponent(SWEEP)
  const { columns } = (await get(`project/column-names?workspaceName=${ws}&projectName=${proj}`)) as {
    columns: ReadonlyArray<Column>
  }
  const predicates = Either.getOrThrow(compile(Either.getOrThrow(parse(QUERY_TEXT)), columns))
  const { experimentKeys } = (await post("project/query", {
    workspaceName: WORKSPACE,
    projectName: SWEEP,
    predicates,
    archived: false
  })) as { experimentKeys: ReadonlyArray<string> }
  const metas: Array<unknown> = []
  for (const key of experimentKeys) metas.push(await get(`experiment/metadata?experimentKey=${key}`))
  const chart = (await post("experiments/multi-metric-chart", {
    targetedExperiments: experimentKeys,
    metrics: METRICS,
    params: null,
    independentMetrics: true,
    fetchFull: false
  })) as {
    experiments: Record<string, { metrics: ReadonlyArray<{ values: ReadonlyArray<unknown> }> }>
  }
  const ms = now() - t0
  return {
    ms,
    counts: await server.counts(),
    experiments: metas.length,
    chartExperiments: Object.keys(chart.experiments).length,
    points: points(chart.experiments)
  }
}

interface PythonOutput {
  readonly importMs: number
  readonly ms: number
  readonly apiMs: number
  readonly queryMs: number
  readonly chartMs: number
  readonly experiments: number
  readonly chartExperiments: number
  readonly points: number
  readonly version: string
}

/** The Python SDK itself, one process per run (the import is timed apart). */
const runPython = async (
  ctx: BenchContext,
  python: string,
  server: RunningServer
): Promise<Run & { readonly python: PythonOutput }> => {
  await server.reset()
  const { output: parsed } = await runScript<PythonOutput>(ctx, python, server, "query_chart.py", () => [
    WORKSPACE,
    SWEEP,
    String(THRESHOLD),
    METRICS.join(",")
  ])
  return {
    ms: parsed.ms,
    counts: await server.counts(),
    experiments: parsed.experiments,
    chartExperiments: parsed.chartExperiments,
    points: parsed.points,
    python: parsed
  }
}

const summary = (runs: ReadonlyArray<Run>) => {
  const last = runs[runs.length - 1] as Run
  return {
    msMedian: round(median(runs.map((r) => r.ms))),
    runsMs: runs.map((r) => round(r.ms)),
    requests: last.counts.requests,
    byEndpoint: last.counts.byEndpoint,
    experiments: last.experiments,
    chartExperiments: last.chartExperiments,
    points: last.points
  }
}

const check = (who: string, runs: ReadonlyArray<Run>) => {
  for (const r of runs) {
    if (r.experiments !== QUERY_MATCHES || r.chartExperiments !== QUERY_MATCHES) {
      throw new Error(`${who}: ${r.experiments} experiments and ${r.chartExperiments} charted, not ${QUERY_MATCHES}`)
    }
  }
}

/** The query-then-chart benchmark. */
export const queryChart: Benchmark = {
  name: "query-chart",
  run: async (ctx) => {
    const server = await ctx.startServer({ latency: LATENCY })
    try {
      const sdk = await findPython(ctx)
      const reps = ctx.quick ? 1 : 3
      // Warm-up of the comet-ts path (JIT); the runs below each build a new client.
      await runOurs(server)
      const ours: Array<Run> = []
      const replay: Array<Run> = []
      const python: Array<Run & { readonly python: PythonOutput }> = []
      for (let r = 0; r < reps; r++) {
        ours.push(await runOurs(server))
        replay.push(await runReplay(server))
        if ("python" in sdk) python.push(await runPython(ctx, sdk.python, server))
      }
      check("comet-ts", ours)
      check("replay", replay)
      check("python", python)
      const o = summary(ours)
      const rp = summary(replay)
      if (o.points !== rp.points) throw new Error(`comet-ts charted ${o.points} points, the replay ${rp.points}`)
      const oursFig = { client: "comet-ts API facade: new API() + query + getMetricsForChart", ...o }
      const common = {
        benchmark: "query-chart",
        ours: oursFig,
        node: process.version,
        notes: `${QUERY_TEXT} over ${SWEEP}'s 1,000 experiments (${QUERY_MATCHES} match), then ${METRICS.join(" + ")} for the chart; emulator latency ${LATENCY} ms, server ${server.mode}; ${reps} run(s) each (median)`
      }
      const py =
        python.length === 0
          ? null
          : {
              name: `Python SDK comet_ml ${python[0]?.python.version}: API() + query + get_metrics_for_chart`,
              ...summary(python),
              importMsMedian: round(median(python.map((p) => p.python.importMs))),
              apiMsMedian: round(median(python.map((p) => p.python.apiMs))),
              queryMsMedian: round(median(python.map((p) => p.python.queryMs))),
              chartMsMedian: round(median(python.map((p) => p.python.chartMs)))
            }
      const replayFig = {
        name: "the Python SDK's request pattern replayed in TypeScript (sequential fetch, no validation)",
        ...rp
      }
      const results: Array<Result> = [
        {
          ...common,
          name: "query-chart requests",
          what: "requests the emulator received for query + chart",
          baseline: py === null ? replayFig : { ...py, replayRequests: rp.requests },
          ratio: round(o.requests / (py?.requests ?? rp.requests), 4),
          ratioDefinition: "ours.requests / baseline.requests",
          target: "≤ 4 requests",
          met: o.requests <= 4
        },
        {
          ...common,
          name: "query-chart vs replayed pattern",
          what: "wall time of query + chart against the Python SDK's requests replayed with fetch",
          baseline: replayFig,
          ratio: round(rp.msMedian / o.msMedian, 2),
          ratioDefinition: "baseline.msMedian / ours.msMedian (speed-up)",
          target: "≥ 10× faster",
          met: rp.msMedian / o.msMedian >= 10
        }
      ]
      results.push(
        py === null
          ? {
              ...common,
              name: "query-chart vs Python SDK",
              what: "wall time of query + chart against comet_ml itself",
              baseline: { name: "Python SDK comet_ml 3.58.8" },
              ratio: null,
              ratioDefinition: "baseline.msMedian / ours.msMedian (speed-up)",
              target: "≥ 10× faster",
              met: null,
              skipped: "unavailable" in sdk ? sdk.unavailable : "python unavailable"
            }
          : {
              ...common,
              name: "query-chart vs Python SDK",
              what: "wall time of query + chart against comet_ml itself (same emulator, same latency)",
              baseline: py,
              ratio: round(py.msMedian / o.msMedian, 2),
              ratioDefinition: "baseline.msMedian / ours.msMedian (speed-up)",
              target: "≥ 10× faster",
              met: py.msMedian / o.msMedian >= 10
            }
      )
      return results
    } finally {
      await server.close()
    }
  }
}
