/**
 * Fan-out: the metric summaries of 500 experiments with the emulator answering every request
 * after 20 ms, at concurrency 8 and 16. comet-ts (the Promise facade, default FetchHttpClient,
 * 500 calls started at once, bounded by `maxConcurrency`) against the ideal
 * `ceil(N / C) × latency` and against a hand-written `fetch` worker pool at the same
 * concurrency (no validation, no retries).
 */
import { API } from "@comet-ts/api"
import { SWEEP_SIZE, sweepKey } from "./dataset.js"
import type { BenchContext, Benchmark, Result } from "./types.js"
import { median, min, now, pool, round } from "./util.js"

const EXPERIMENTS = 500
const LATENCY = 20

/** The hand-written client: C workers, each `await fetch(...)` then `await res.json()`. */
const handWritten = async (url: string, apiKey: string, keys: ReadonlyArray<string>, concurrency: number) => {
  const headers = { Authorization: apiKey, Accept: "application/json" }
  const bodies = await pool(keys, concurrency, async (key) => {
    const res = await fetch(`${url}/api/rest/v2/experiment/metrics/summary?experimentKey=${key}`, { headers })
    if (res.status !== 200) throw new Error(`status ${res.status}`)
    return (await res.json()) as { values: ReadonlyArray<unknown> }
  })
  return bodies.reduce((n, b) => n + b.values.length, 0)
}

const ours = async (api: API, keys: ReadonlyArray<string>) => {
  const all = await Promise.all(keys.map((k) => api.getExperimentMetricsSummaries(k)))
  return all.reduce((n, s) => n + s.length, 0)
}

const runConcurrency = async (ctx: BenchContext, concurrency: number): Promise<ReadonlyArray<Result>> => {
  const server = await ctx.startServer({ latency: LATENCY })
  try {
    const keys = Array.from({ length: Math.min(EXPERIMENTS, SWEEP_SIZE) }, (_, i) => sweepKey(i))
    const api = new API({ baseUrl: server.url, apiKey: server.apiKey, maxConcurrency: concurrency, panel: false })
    try {
      // Warm-up: the runtime, the connections (one per permit), JIT of both paths.
      const warm = keys.slice(0, ctx.quick ? 120 : 250)
      await ours(api, warm)
      await handWritten(server.url, server.apiKey, warm, concurrency)

      const reps = ctx.quick ? 1 : 5
      const oursMs: Array<number> = []
      const baseMs: Array<number> = []
      let oursValues = 0
      let baseValues = 0
      let serverMaxInFlight = 0
      let serverRequests = 0
      for (let r = 0; r < reps; r++) {
        // Alternate which goes first, so neither always runs on a warmer machine.
        const order = r % 2 === 0 ? ["ours", "base"] : ["base", "ours"]
        for (const which of order) {
          await server.reset()
          const t0 = now()
          if (which === "ours") {
            oursValues = await ours(api, keys)
            oursMs.push(now() - t0)
            const counts = await server.counts()
            serverMaxInFlight = counts.maxInFlight
            serverRequests = counts.requests
          } else {
            baseValues = await handWritten(server.url, server.apiKey, keys, concurrency)
            baseMs.push(now() - t0)
          }
        }
      }
      if (oursValues !== baseValues) throw new Error(`fan-out: ${oursValues} summaries vs ${baseValues} by hand`)
      const ideal = Math.ceil(keys.length / concurrency) * LATENCY
      const oursFig = {
        client: "comet-ts API facade (FetchHttpClient)",
        wallMsMedian: round(median(oursMs)),
        wallMsMin: round(min(oursMs)),
        runsMs: oursMs.map((x) => round(x)),
        requests: serverRequests,
        serverMaxInFlight,
        summaries: oursValues
      }
      const common = {
        benchmark: "fan-out",
        ours: oursFig,
        node: process.version,
        notes: `${keys.length} experiments, emulator latency ${LATENCY} ms, server ${server.mode}, ${reps} runs each (median)`
      }
      return [
        {
          ...common,
          name: `fan-out c=${concurrency} vs ideal`,
          what: `experiment/metrics/summary for ${keys.length} experiments at concurrency ${concurrency}: wall time against ceil(N/C) × latency`,
          baseline: { name: "ideal ceil(N/C) × latency", wallMs: ideal },
          ratio: round(median(oursMs) / ideal, 3),
          ratioDefinition: "ours.wallMsMedian / baseline.wallMs",
          target: "≤ 1.10",
          met: median(oursMs) / ideal <= 1.1
        },
        {
          ...common,
          name: `fan-out c=${concurrency} vs fetch`,
          what: `experiment/metrics/summary for ${keys.length} experiments at concurrency ${concurrency}: wall time against a hand-written fetch pool`,
          baseline: {
            name: `hand-written fetch pool (${concurrency} workers, res.json(), no validation, no retries)`,
            wallMsMedian: round(median(baseMs)),
            wallMsMin: round(min(baseMs)),
            runsMs: baseMs.map((x) => round(x))
          },
          ratio: round(median(oursMs) / median(baseMs), 3),
          ratioDefinition: "ours.wallMsMedian / baseline.wallMsMedian",
          target: "≤ 1.05",
          met: median(oursMs) / median(baseMs) <= 1.05
        }
      ]
    } finally {
      await api.close()
    }
  } finally {
    await server.close()
  }
}

/** The fan-out benchmark. */
export const fanout: Benchmark = {
  name: "fan-out",
  run: async (ctx) => [...(await runConcurrency(ctx, 8)), ...(await runConcurrency(ctx, 16))]
}
