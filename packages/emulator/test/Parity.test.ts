/**
 * What issue 14 asks of the emulator: `get-all` in logging order, an unknown model's asset list
 * a 404, chart values that keep NaN and ±Infinity apart from gaps.
 */
import * as Core from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { type Dataset, datasetJsonSchema, decodeDataset, type ExperimentData, encodeDataset } from "../src/Dataset.js"
import { layerClient } from "../src/Emulator.js"
import { generate } from "../src/Generator.js"
import { lastValue } from "../src/Series.js"
import { decodes, errorOf, get, getJson, ok, post } from "./util.js"

const base = generate({ size: "small", seed: 3 })
const ws = base.workspaces.find((w) => w.name === "local-dev")!
const sweep = ws.projects.find((p) => p.projectName === "mnist-sweep")!
const template = sweep.experiments.find((e) => !e.archived && e.models.length === 0) ?? sweep.experiments[0]!

/** Two explicit series: a NaN, a gap (null) and ±Infinity, with interleaved and tied timestamps. */
const special: ExperimentData = {
  ...template,
  experimentKey: "0123456789abcdef0123456789abcdef",
  experimentName: "special_values",
  archived: false,
  metrics: [
    {
      name: "loss",
      steps: [0, 1, 2, 3],
      values: [1, Number.NaN, null, Number.POSITIVE_INFINITY],
      timestamps: [10, 20, 30, 40]
    },
    {
      name: "acc",
      steps: [0, 1, 2, 3],
      values: [0.1, Number.NEGATIVE_INFINITY, 0.3, 0.4],
      timestamps: [15, 20, 25, 45]
    }
  ]
}

const dataset: Dataset = {
  ...base,
  workspaces: base.workspaces.map((w) =>
    w !== ws
      ? w
      : {
          ...w,
          projects: w.projects.map((p) => (p !== sweep ? p : { ...p, experiments: [...p.experiments, special] }))
        }
  )
}
const emulator = layerClient({ dataset })
const key = `experimentKey=${special.experimentKey}`

describe("get-all: every point of every metric in one request, in logging order", () => {
  it.effect("ordered by timestamp, then by the experiment's metric order; gaps left out", () =>
    Effect.gen(function* () {
      const raw = (yield* getJson(`/api/rest/v2/experiment/metrics/get-all?${key}`)) as {
        metrics: ReadonlyArray<{ metricName: string; metricValue: string; timestamp: number; offset: number }>
      }
      assert.deepStrictEqual(
        raw.metrics.map((m) => [m.metricName, m.metricValue, m.timestamp, m.offset]),
        [
          ["loss", "1", 10, 0],
          ["acc", "0.1", 15, 0],
          ["loss", "NaN", 20, 1],
          ["acc", "-Infinity", 20, 1],
          ["acc", "0.3", 25, 2],
          ["loss", "Infinity", 40, 3],
          ["acc", "0.4", 45, 3]
        ]
      )
      decodes(Core.MetricHistory, raw)
    }).pipe(Effect.provide(emulator))
  )

  it.effect("a generated experiment: the same points as get-metric per name, merged by time", () =>
    Effect.gen(function* () {
      const e = template
      const all = decodes(
        Core.MetricHistory,
        yield* getJson(`/api/rest/v2/experiment/metrics/get-all?experimentKey=${e.experimentKey}`)
      )
      const perName: Array<Core.MetricPoint> = []
      for (const s of e.metrics) {
        const one = decodes(
          Core.MetricHistory,
          yield* getJson(
            `/api/rest/v2/experiment/metrics/get-metric?experimentKey=${e.experimentKey}&metricName=${s.name}`
          )
        )
        perName.push(...one.metrics)
      }
      assert.strictEqual(all.metrics.length, perName.length)
      const names = e.metrics.map((s) => s.name)
      const expected = [...perName].sort(
        (a, b) =>
          (a.timestamp as number) - (b.timestamp as number) ||
          names.indexOf(a.metricName) - names.indexOf(b.metricName) ||
          (a.offset as number) - (b.offset as number)
      )
      assert.deepStrictEqual(all.metrics, expected)
      for (let i = 1; i < all.metrics.length; i++)
        assert.isAtLeast(all.metrics[i]!.timestamp as number, all.metrics[i - 1]!.timestamp as number)
    }).pipe(Effect.provide(emulator))
  )
})

describe("non-finite values and gaps", () => {
  it.effect("get-metric: NaN and ±Infinity as the strings comet_ml logs; a gap is left out", () =>
    Effect.gen(function* () {
      const body = (yield* getJson(`/api/rest/v2/experiment/metrics/get-metric?${key}&metricName=loss`)) as {
        metrics: ReadonlyArray<{ metricValue: string; step: number }>
      }
      assert.deepStrictEqual(
        body.metrics.map((m) => [m.metricValue, m.step]),
        [
          ["1", 0],
          ["NaN", 1],
          ["Infinity", 3]
        ]
      )
    }).pipe(Effect.provide(emulator))
  )

  it.effect("summary: min/max over values (NaN and gaps skipped), current = last point with a value", () =>
    Effect.gen(function* () {
      const body = decodes(Core.SummaryList, yield* getJson(`/api/rest/v2/experiment/metrics/summary?${key}`))
      const loss = body.values.find((v) => v.name === "loss")!
      assert.deepStrictEqual([loss.valueMin, loss.valueMax, loss.valueCurrent], ["1", "Infinity", "Infinity"])
      assert.deepStrictEqual([loss.stepMin, loss.stepMax, loss.stepCurrent], [0, 3, 3])
      assert.strictEqual(lastValue(special.metrics[0]!), Number.POSITIVE_INFINITY)
    }).pipe(Effect.provide(emulator))
  )

  it.effect('chart: finite values are numbers, NaN/±Infinity the strings "NaN"/"Infinity"/"-Infinity", gaps null', () =>
    Effect.gen(function* () {
      const request = {
        targetedExperiments: [special.experimentKey],
        metrics: ["loss", "acc"],
        params: null,
        independentMetrics: true,
        fetchFull: true
      }
      const raw = (yield* Effect.flatMap(post("/api/rest/v2/experiments/multi-metric-chart", request), ok)) as {
        experiments: Record<string, { metrics: ReadonlyArray<{ metricName: string; values: ReadonlyArray<unknown> }> }>
      }
      const metrics = raw.experiments[special.experimentKey]!.metrics
      assert.deepStrictEqual(
        metrics.map((m) => [m.metricName, m.values]),
        [
          ["loss", [1, "NaN", null, "Infinity"]],
          ["acc", [0.1, "-Infinity", 0.3, 0.4]]
        ]
      )
      // comet-ts decodes them apart: NaN, Infinity and a gap (null) are three different things.
      const decoded = decodes(Core.MetricsChartResponse, raw)
      const values = decoded.experiments[special.experimentKey]!.metrics[0]!.values
      assert.isTrue(Number.isNaN(values[1]))
      assert.strictEqual(values[2], null)
      assert.strictEqual(values[3], Number.POSITIVE_INFINITY)
    }).pipe(Effect.provide(emulator))
  )

  it.effect("a JSON dataset writes non-finite values as strings and reads them back", () =>
    Effect.gen(function* () {
      const json = JSON.parse(JSON.stringify(encodeDataset(dataset)))
      type Json = { experimentKey: string; metrics: Array<{ values: Array<unknown> }> }
      const encoded = json as { workspaces: Array<{ projects: Array<{ experiments: Array<Json> }> }> }
      const found = encoded.workspaces
        .flatMap((w) => w.projects)
        .flatMap((p) => p.experiments)
        .find((e) => e.experimentKey === special.experimentKey)!
      assert.deepStrictEqual(found.metrics[0]!.values, [1, "NaN", null, "Infinity"])
      const back = yield* decodeDataset(json)
      const series = back.workspaces
        .flatMap((w) => w.projects)
        .flatMap((p) => p.experiments)
        .find((e) => e.experimentKey === special.experimentKey)!.metrics[0]!
      assert.isTrue("values" in series)
      if ("values" in series) {
        assert.isTrue(Number.isNaN(series.values[1]))
        assert.strictEqual(series.values[2], null)
        assert.strictEqual(series.values[3], Number.POSITIVE_INFINITY)
      }
      assert.include(JSON.stringify(datasetJsonSchema()), '"-Infinity"')
    })
  )
})

describe("models", () => {
  it.effect("an unknown model's asset list is a 404 with Comet's error body, as the README says", () =>
    Effect.gen(function* () {
      const withModel =
        sweep.experiments.find((e) => e.models.length > 0) ??
        base.workspaces
          .flatMap((w) => w.projects)
          .flatMap((p) => p.experiments)
          .find((e) => e.models.length > 0)!
      const r = yield* errorOf(
        yield* get(`/api/rest/v2/experiment/model/asset/list?experimentKey=${withModel.experimentKey}&modelName=nope`)
      )
      assert.strictEqual(r.status, 404)
      assert.include(r.body.msg, '"nope"')
      const name = withModel.models[0]!.modelName
      const known = decodes(
        Core.AssetList,
        yield* getJson(
          `/api/rest/v2/experiment/model/asset/list?experimentKey=${withModel.experimentKey}&modelName=${encodeURIComponent(name)}`
        )
      )
      assert.strictEqual(known.assets.length, withModel.models[0]!.assets.length)
    }).pipe(Effect.provide(emulator))
  )
})
