/**
 * Fewer requests than the Python SDK, same results: a query matching 200 of 1,000 experiments
 * followed by `getMetricsForChart` for them, counted on the emulator's side.
 */
import * as Emulator from "@comet-ts/emulator"
import { Parameter } from "@comet-ts/query"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { CometApi, Testing } from "../src/index.js"

const N = 1000
const key = (i: number) => i.toString(16).padStart(32, "0")
const series = (name: string, i: number) => ({
  name,
  steps: [0, 1, 2, 3],
  values: [1, 0.5 + i / 10_000, 0.25, 0.125 + i / 100_000],
  timestamps: [1_700_000_000_000, 1_700_000_001_000, 1_700_000_002_000, 1_700_000_003_000]
})

const datasetJson = {
  version: 1,
  users: [{ userName: "u", apiKey: "local-dev-key", workspaces: ["ws"], defaultWorkspaceName: "ws" }],
  workspaces: [
    {
      name: "ws",
      projects: [
        {
          projectId: "f".repeat(32),
          projectName: "big",
          experiments: Array.from({ length: N }, (_, i) => ({
            experimentKey: key(i),
            experimentName: `run-${i}`,
            startTimeMillis: 1_700_000_000_000 + i,
            endTimeMillis: 1_700_000_100_000 + i,
            durationMillis: 100_000,
            params: [{ name: "lr", value: String(i / N) }],
            metrics: [series("loss", i), series("acc", i)]
          }))
        }
      ]
    }
  ]
}

describe("request counts against the Python SDK's pattern", () => {
  it.effect("query (200 of 1,000) then getMetricsForChart costs at most 4 requests; the SDK's pattern 203", () =>
    Effect.gen(function* () {
      const dataset = yield* Emulator.decodeDataset(datasetJson)
      const layer = Testing.layerClient(Emulator.layerClient({ dataset }))
      const program = Effect.gen(function* () {
        const api = yield* CometApi
        const server = yield* Emulator.Emulator
        const q = Parameter("lr").lt(0.2)

        // comet-ts: columns + query + one experiments list + one chart request.
        yield* server.stats.reset
        const experiments = yield* api.query("ws", "big", q)
        const chart = yield* api.getMetricsForChart(experiments, ["loss", "acc"])
        const ours = yield* server.stats.snapshot

        // The Python SDK's pattern: columns + query + one metadata call per key + the chart.
        yield* server.stats.reset
        const columns = yield* api.getProjectColumns("ws", "big")
        const predicates = [
          {
            source: "params",
            query: {
              condition: "AND" as const,
              rules: [
                {
                  id: "lr",
                  field: "lr",
                  type: columns.find((c) => c.name === "lr")?.type ?? "double",
                  operator: "less" as const,
                  value: 0.2
                }
              ],
              valid: true
            }
          }
        ]
        const keys = yield* api.queryProject("ws", "big", predicates)
        const metas = yield* Effect.forEach(keys, (k) => api.getExperimentMetadata(k), { concurrency: 8 })
        const theirChart = yield* api.getMetricsForChart(keys, ["loss", "acc"])
        const theirs = yield* server.stats.snapshot
        return { experiments, chart, ours, keys, metas, theirChart, theirs }
      })
      const r = yield* program.pipe(Effect.provide(layer))
      assert.strictEqual(r.experiments.length, 200)
      assert.isAtMost(r.ours.requests, 4)
      assert.strictEqual(r.ours.requests, 4)
      assert.strictEqual(r.theirs.requests, 203)
      // Same results both ways.
      assert.deepStrictEqual(
        r.experiments.map((e) => e.key),
        r.keys
      )
      assert.deepStrictEqual(
        r.experiments.map((e) => e.name),
        r.metas.map((m) => m.experimentName)
      )
      assert.deepStrictEqual(r.chart, r.theirChart)
      assert.strictEqual(Object.keys(r.chart).length, 200)
      assert.deepStrictEqual(r.chart[key(7)]?.metrics.find((m) => m.metricName === "acc")?.values, [
        1,
        0.5 + 7 / 10_000,
        0.25,
        0.125 + 7 / 100_000
      ])
    })
  )
})
