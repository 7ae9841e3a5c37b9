/**
 * Decode: a full multi-metric-chart answer of 100 experiments × 4 metrics, served by the
 * emulator, decoded from bytes to the typed, validated result with the path the client uses
 * (`Decode.decodeJsonText(MetricsChartResponse, …)`, which `CometHttp.post` runs after reading
 * the body) against `JSON.parse` alone on the same text.
 */
import { Decode, MetricsChartResponse } from "@comet-ts/core"
import { Effect } from "effect"
import { CHART_EXPERIMENTS, CHART_METRICS, CHARTS_2500, CHARTS_15000, type ChartSet, chartKey } from "./dataset.js"
import type { RunningServer } from "./server.js"
import type { BenchContext, Benchmark, Result } from "./types.js"
import { collectGarbage, median, mib, now, round } from "./util.js"

const ENDPOINT = "experiments/multi-metric-chart"

const fetchBody = async (server: RunningServer, set: ChartSet): Promise<Uint8Array> => {
  const res = await fetch(`${server.url}/api/rest/v2/${ENDPOINT}`, {
    method: "POST",
    headers: { Authorization: server.apiKey, "Content-Type": "application/json" },
    body: JSON.stringify({
      targetedExperiments: Array.from({ length: CHART_EXPERIMENTS }, (_, i) => chartKey(set, i)),
      metrics: CHART_METRICS,
      params: null,
      independentMetrics: true,
      fetchFull: true
    })
  })
  if (res.status !== 200) throw new Error(`decode: the emulator answered ${res.status}`)
  return new Uint8Array(await res.arrayBuffer())
}

const decodeText = Decode.decodeJsonText(MetricsChartResponse, ENDPOINT)
const utf8 = new TextDecoder("utf-8")

const timed = <A>(f: () => A): { readonly ms: number; readonly value: A } => {
  collectGarbage()
  const t0 = now()
  const value = f()
  return { ms: now() - t0, value }
}

const runSet = async (ctx: BenchContext, server: RunningServer, set: ChartSet): Promise<Result> => {
  const bytes = await fetchBody(server, set)
  const text = utf8.decode(bytes)
  const warm = ctx.quick ? 1 : 2
  const reps = ctx.quick ? 2 : set.points > 5000 ? 3 : 7
  const parseMs: Array<number> = []
  const oursMs: Array<number> = []
  const parseBytesMs: Array<number> = []
  const oursBytesMs: Array<number> = []
  let points = 0
  let experiments = 0
  for (let r = 0; r < warm + reps; r++) {
    const p = timed(() => JSON.parse(text) as unknown)
    const o = timed(() => Effect.runSync(decodeText(text)))
    if (r >= warm) {
      parseMs.push(p.ms)
      oursMs.push(o.ms)
      if (!ctx.quick) {
        parseBytesMs.push(timed(() => JSON.parse(utf8.decode(bytes)) as unknown).ms)
        oursBytesMs.push(timed(() => Effect.runSync(decodeText(utf8.decode(bytes)))).ms)
      }
    }
    const decoded = o.value.experiments
    experiments = Object.keys(decoded).length
    points = Object.values(decoded).reduce((n, e) => n + e.metrics.reduce((m, x) => m + x.values.length, 0), 0)
  }
  const expected = CHART_EXPERIMENTS * CHART_METRICS.length * set.points
  if (points !== expected || experiments !== CHART_EXPERIMENTS) {
    throw new Error(`decode: ${experiments} experiments and ${points} points, expected ${expected}`)
  }
  const ours = median(oursMs)
  const base = median(parseMs)
  return {
    name: `decode ${round(mib(bytes.length), 0)} MiB chart`,
    benchmark: "decode",
    what: `multi-metric-chart answer of ${CHART_EXPERIMENTS} experiments × ${CHART_METRICS.length} metrics × ${set.points} points (${bytes.length} bytes, ${expected * 5} numbers in values/steps/epochs/timestamps/durations) decoded to the validated MetricsChartResponse`,
    ours: {
      path: "Decode.decodeJsonText(MetricsChartResponse) (JSON.parse + Schema validation)",
      msMedian: round(ours),
      runsMs: oursMs.map((x) => round(x)),
      fromBytesMsMedian: oursBytesMs.length === 0 ? null : round(median(oursBytesMs)),
      bytes: bytes.length,
      points
    },
    baseline: {
      name: "JSON.parse alone (no validation)",
      msMedian: round(base),
      runsMs: parseMs.map((x) => round(x)),
      fromBytesMsMedian: parseBytesMs.length === 0 ? null : round(median(parseBytesMs))
    },
    ratio: round(ours / base, 3),
    ratioDefinition:
      "ours.msMedian / baseline.msMedian (same text; fromBytes, full runs only, adds UTF-8 decoding to both)",
    target: "≤ 1.5",
    met: ours / base <= 1.5,
    node: process.version,
    notes: `${warm} warm-up runs, then ${reps} runs each (median), garbage collected before every run; body produced by the emulator (server ${server.mode})`
  }
}

/** The decode benchmark: ≈ 50 MB (2,500 points per metric); full runs add Comet's maximum, 15,000. */
export const decode: Benchmark = {
  name: "decode",
  run: async (ctx) => {
    const server = await ctx.startServer({ latency: 0 })
    try {
      const sets = ctx.quick ? [CHARTS_2500] : [CHARTS_2500, CHARTS_15000]
      const out: Array<Result> = []
      for (const set of sets) out.push(await runSet(ctx, server, set))
      return out
    } finally {
      await server.close()
    }
  }
}
