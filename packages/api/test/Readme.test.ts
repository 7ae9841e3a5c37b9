import { CometApi, Panel, Testing } from "@comet-ts/api"
import { type ChartExperiment, ExperimentKey } from "@comet-ts/core"
import * as Emulator from "@comet-ts/emulator"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"

// The panel's logic: the panel experiment with the best final validation accuracy.
const bestRun = Effect.gen(function* () {
  const api = yield* CometApi
  const keys = yield* api.getPanelExperimentKeys()
  const chart = yield* api.getMetricsForChart(keys, ["val_accuracy"])
  // By name: a chart lists the metrics a run has, in the server's order.
  const final = (key: string) =>
    chart[key]?.metrics.find((m) => m.metricName === "val_accuracy")?.values.at(-1) ?? Number.NEGATIVE_INFINITY
  return [...keys].sort((a, b) => final(b) - final(a))[0]
})

// A chart entry for the mock: run "b" ends higher than the others.
const chartOf = (key: string): ChartExperiment => ({
  experimentKey: ExperimentKey.make(key),
  experimentName: null,
  steps: null,
  epochs: null,
  params: null,
  metrics: [
    {
      metricName: "val_accuracy",
      values: key === "b" ? [0.5, 0.9] : [0.5, 0.7],
      steps: [0, 1],
      epochs: null,
      timestamps: null,
      durations: null
    }
  ]
})

describe("my panel", () => {
  const dataset = Emulator.generate({ size: "small", seed: 1 })
  const experiments = dataset.workspaces[0]!.projects[0]!.experiments.slice(0, 5)
  const keys = experiments.map((e) => e.experimentKey)

  it.effect("picks the best run over an emulator dataset", () =>
    Effect.gen(function* () {
      const best = yield* bestRun
      const final = (e: (typeof experiments)[number]) =>
        Emulator.Series.lastValue(e.metrics.find((m) => m.name === "val_accuracy")!) ?? 0
      const expected = [...experiments].sort((a, b) => final(b) - final(a))[0]!.experimentKey
      assert.strictEqual(best, expected)
    }).pipe(
      Effect.provide(Panel.layerTest({ experimentKeys: keys })),
      Effect.provide(Testing.layerClient(Emulator.layerClient({ dataset })))
    )
  )

  it.effect("with a mock CometApi", () =>
    bestRun.pipe(
      Effect.tap((best) => assert.strictEqual(best, "b")),
      Effect.provide(Panel.layerTest({ experimentKeys: ["a", "b", "c"] })),
      Effect.provide(
        Testing.layerMock({
          getPanelExperimentKeys: () => Effect.flatMap(Panel.PanelContext, (p) => p.experimentKeys),
          getMetricsForChart: (experiments) =>
            Effect.succeed(Object.fromEntries(experiments.map((e) => [String(e), chartOf(String(e))])))
        })
      )
    )
  )
})
