/**
 * Emulator throughput: requests per second the emulator answers (no latency) on
 * `experiment/metadata` and on `experiment/metrics/get-metric` with 15,000 points, driven by a
 * plain `node:http` keep-alive client (the cheapest client Node has) from the bench process at
 * concurrency 16. The benchmarks must measure the client, not the server: metadata capacity is
 * compared with the highest rate a benchmark asks of the emulator (the fan-out at concurrency 16
 * with 20 ms latency: 16 / 20 ms = 800 requests per second), get-metric capacity with the rate at
 * which comet-ts can decode such answers on one core.
 */
import { Agent, request } from "node:http"
import { Decode, MetricHistory } from "@comet-ts/core"
import { Effect } from "effect"
import { CHARTS_15000, chartKey, SWEEP_SIZE, sweepKey } from "./dataset.js"
import type { RunningServer } from "./server.js"
import type { Benchmark, Result } from "./types.js"
import { median, now, round } from "./util.js"

const CONCURRENCY = 16
const DEMAND = 16 / 0.02

interface Load {
  readonly requests: number
  readonly seconds: number
  readonly bytes: number
  readonly p50Ms: number
  readonly p99Ms: number
}

const get = (agent: Agent, url: string, apiKey: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { Authorization: apiKey } }, (res) => {
      let n = 0
      res.on("data", (d: Buffer) => {
        n += d.length
      })
      res.on("end", () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`status ${res.statusCode}`))))
      res.on("error", reject)
    })
    req.on("error", reject)
    req.end()
  })

/** Closed-loop load: CONCURRENCY workers, each sending its next request when the last is answered. */
const load = async (server: RunningServer, path: (i: number) => string, seconds: number): Promise<Load> => {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const latencies: Array<number> = []
  let bytes = 0
  let i = 0
  const t0 = now()
  const end = t0 + seconds * 1000
  const worker = async () => {
    while (now() < end) {
      const t = now()
      const n = await get(agent, `${server.url}/api/rest/v2/${path(i++)}`, server.apiKey)
      bytes += n
      latencies.push(now() - t)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  const elapsed = (now() - t0) / 1000
  agent.destroy()
  const sorted = [...latencies].sort((a, b) => a - b)
  return {
    requests: latencies.length,
    seconds: elapsed,
    bytes,
    p50Ms: median(sorted),
    p99Ms: sorted[Math.floor(sorted.length * 0.99)] ?? Number.NaN
  }
}

interface Demand {
  readonly name: string
  readonly requestsPerSecond: number
  readonly [k: string]: unknown
}

const entry = (name: string, endpoint: string, l: Load, mode: string, seconds: number, demand: Demand): Result => {
  const rps = l.requests / l.seconds
  return {
    name,
    benchmark: "emulator",
    what: `requests per second the emulator answers on ${endpoint} (no latency), ${CONCURRENCY} keep-alive connections, ${seconds} s`,
    ours: {
      server: `@comet-ts/emulator (${mode})`,
      requestsPerSecond: round(rps, 0),
      requests: l.requests,
      mbPerSecond: round(l.bytes / 1e6 / l.seconds, 1),
      bytesPerAnswer: round(l.bytes / l.requests, 0),
      p50Ms: round(l.p50Ms),
      p99Ms: round(l.p99Ms)
    },
    baseline: demand,
    ratio: round(rps / demand.requestsPerSecond, 2),
    ratioDefinition: "ours.requestsPerSecond / baseline.requestsPerSecond (headroom)",
    target: "≥ 1 (the server keeps up)",
    met: rps >= demand.requestsPerSecond,
    node: process.version,
    notes:
      "load generated from the bench process with node:http (keep-alive), closed loop; the server is the bench emulator"
  }
}

/** The emulator throughput benchmark. */
export const emulatorThroughput: Benchmark = {
  name: "emulator",
  run: async (ctx) => {
    const server = await ctx.startServer({ latency: 0 })
    try {
      const seconds = ctx.quick ? 1 : 5
      const metadata = (i: number) => `experiment/metadata?experimentKey=${sweepKey(i % SWEEP_SIZE)}`
      const metric = (i: number) =>
        `experiment/metrics/get-metric?experimentKey=${chartKey(CHARTS_15000, i % 100)}&metricName=loss`
      // Warm-up: JIT of the server's paths.
      await load(server, metadata, ctx.quick ? 0.3 : 1)
      await load(server, metric, ctx.quick ? 0.3 : 1)
      const m = await load(server, metadata, seconds)
      const g = await load(server, metric, seconds)
      // How fast comet-ts decodes one such answer (the path of getExperimentMetric), on one core.
      const res = await fetch(`${server.url}/api/rest/v2/${metric(0)}`, { headers: { Authorization: server.apiKey } })
      const text = await res.text()
      const decodeMetric = Decode.decodeJsonText(MetricHistory, "experiment/metrics/get-metric")
      const times: Array<number> = []
      const runs = ctx.quick ? 3 : 7
      for (let r = 0; r < runs; r++) {
        const t0 = now()
        const h = Effect.runSync(decodeMetric(text))
        times.push(now() - t0)
        if (h.metrics.length !== CHARTS_15000.points) throw new Error(`get-metric: ${h.metrics.length} points`)
      }
      const decodeMs = median(times.slice(ctx.quick ? 1 : 2))
      return [
        entry("emulator experiment/metadata", "experiment/metadata", m, server.mode, seconds, {
          name: "the highest rate a benchmark asks: fan-out at concurrency 16, 20 ms latency",
          requestsPerSecond: DEMAND
        }),
        entry(
          "emulator get-metric 15,000 points",
          "experiment/metrics/get-metric (15,000 points)",
          g,
          server.mode,
          seconds,
          {
            name: "comet-ts decoding such answers on one core (Decode.decodeJsonText(MetricHistory), median after warm-up runs)",
            requestsPerSecond: round(1000 / decodeMs, 2),
            decodeMsMedian: round(decodeMs)
          }
        )
      ]
    } finally {
      await server.close()
    }
  }
}
