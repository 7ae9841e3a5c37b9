/**
 * The dashboard helpers of chart results (`Chart`) and of summaries (`Summaries`): unit cases,
 * property tests over generated charts, and `Chart.stream` over a fake server (chunking, order,
 * bounded chunks in flight, typed failure).
 */
import { type ChartExperiment, type ChartMetric, InvalidArgument, ServerError, type Summary } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Exit, Option, Stream } from "effect"
import * as fc from "fast-check"
import { Chart, Summaries, Testing } from "../src/index.js"
import { chartReply, Fake, key } from "./support/fake.js"

const metric = (
  metricName: string,
  values: ReadonlyArray<number | null>,
  steps: ReadonlyArray<number | null> | null = values.map((_, i) => i),
  extra: Partial<ChartMetric> = {}
): ChartMetric => ({
  metricName,
  values,
  steps,
  epochs: null,
  timestamps: values.map((_, i) => 1_700_000_000_000 + i),
  durations: null,
  ...extra
})

const experiment = (k: string, metrics: ReadonlyArray<ChartMetric>, extra: Partial<ChartExperiment> = {}) =>
  ({
    experimentKey: k,
    experimentName: `run-${k}`,
    steps: null,
    epochs: null,
    metrics,
    params: null,
    ...extra
  }) as ChartExperiment

describe("Chart: series by name and their values", () => {
  const e = experiment("a", [
    metric("loss", [2, 1, null, 0.5]),
    metric("acc", [0.1, Number.NaN, 0.9, 0.7]),
    metric("loss", [99])
  ])

  it("finds a series by name, not by position; the first of duplicates; null when absent", () => {
    assert.deepStrictEqual(Chart.series(e, "acc")?.values, [0.1, Number.NaN, 0.9, 0.7])
    assert.deepStrictEqual(Chart.series(e, "loss")?.values, [2, 1, null, 0.5])
    assert.isNull(Chart.series(e, "val_loss"))
    assert.isNull(Chart.series(undefined, "loss"))
    assert.deepStrictEqual([...Chart.seriesByName(e).keys()], ["loss", "acc"])
  })

  it("last skips missing points and keeps NaN; min and max ignore NaN", () => {
    const loss = Chart.series(e, "loss")
    assert.strictEqual(Chart.last(loss), 0.5)
    assert.strictEqual(Chart.min(loss), 0.5)
    assert.strictEqual(Chart.max(loss), 2)
    const acc = Chart.series(e, "acc")
    assert.strictEqual(Chart.max(acc), 0.9)
    assert.strictEqual(Chart.min(acc), 0.1)
    assert.isTrue(Number.isNaN(Chart.last(metric("x", [1, Number.NaN])) ?? 0))
    assert.isNull(Chart.last(metric("x", [null, null])))
    assert.isNull(Chart.max(metric("x", [Number.NaN])))
    assert.isNull(Chart.min(null))
    assert.strictEqual(Chart.aggregate(loss, "last"), 0.5)
    assert.strictEqual(Chart.aggregate(loss, "min"), 0.5)
    assert.strictEqual(Chart.aggregate(loss, "max"), 2)
    assert.strictEqual(Chart.max(metric("x", [-Infinity, 3, Infinity])), Infinity)
  })

  it("valueAtStep reads the point logged at that step (the last of several), null otherwise", () => {
    const m = metric("loss", [5, 4, 3, 2], [0, 10, 10, 20])
    assert.strictEqual(Chart.valueAtStep(m, 0), 5)
    assert.strictEqual(Chart.valueAtStep(m, 10), 3)
    assert.isNull(Chart.valueAtStep(m, 5))
    assert.isNull(Chart.valueAtStep(metric("x", [1], null), 0))
  })

  it("aligned charts (independentMetrics false) take steps and epochs from the experiment", () => {
    const aligned = experiment("b", [metric("loss", [3, null, 1], null)], { steps: [0, 5, 10], epochs: [1, 1, 2] })
    const m = Chart.series(aligned, "loss")
    assert.deepStrictEqual(
      Chart.points(m, aligned).map((p) => [p.step, p.epoch, p.value]),
      [
        [0, 1, 3],
        [10, 2, 1]
      ]
    )
    assert.strictEqual(Chart.valueAtStep(m, 10, aligned), 1)
    assert.isNull(Chart.valueAtStep(m, 10))
  })
})

describe("the helpers from plain JavaScript", () => {
  const e = experiment("a", [metric("acc", [0.5, 0.9])])
  const summaries = Summaries.byName([
    { name: "acc", valueCurrent: "0.9", valueMin: "0.5", valueMax: "0.9" } as unknown as Summary
  ])
  /** A helper called with arguments its types refuse. */
  const js = (f: unknown, ...args: ReadonlyArray<unknown>): unknown =>
    (f as (...a: ReadonlyArray<unknown>) => unknown)(...args)
  const cases: ReadonlyArray<readonly [string, () => unknown, string]> = [
    // the likely mistake: an experiment's chart where a series belongs read as "nothing logged"
    ["Chart.last(chart[key])", () => js(Chart.last, e), "pick its series with Chart.series(experiment, name)"],
    ["Chart.max(chart[key])", () => js(Chart.max, e), "Invalid metric of Chart.max"],
    ["Chart.min('acc')", () => js(Chart.min, "acc"), "must be a series"],
    ["Chart.last({})", () => js(Chart.last, {}), "Invalid metric of Chart.last"],
    ["Chart.points(5)", () => js(Chart.points, 5), "Invalid metric of Chart.points"],
    ["Chart.valueAtStep(s, '1')", () => js(Chart.valueAtStep, Chart.series(e, "acc"), "1"), "Invalid step"],
    ["Chart.series({}, 'acc')", () => js(Chart.series, {}, "acc"), "Invalid experiment of Chart.series"],
    ["Chart.series(e, 5)", () => js(Chart.series, e, 5), "Invalid metric of Chart.series"],
    ["Chart.seriesByName([])", () => js(Chart.seriesByName, []), "Invalid experiment of Chart.seriesByName"],
    ["Chart.aggregate(s, 'avg')", () => js(Chart.aggregate, null, "avg"), '"last", "min" or "max"'],
    ["Chart.rows(null)", () => [...(js(Chart.rows, null) as Iterable<unknown>)], "Invalid chart of Chart.rows"],
    ["Chart.rows({ a: null })", () => [...(js(Chart.rows, { a: null }) as Iterable<unknown>)], "Invalid chart entry"],
    ["Chart.rows([{}])", () => [...(js(Chart.rows, [{}]) as Iterable<unknown>)], "Invalid chart entry"],
    ["Summaries.byName(null)", () => js(Summaries.byName, null), "Invalid summaries of Summaries.byName"],
    ["Summaries.byName([null])", () => js(Summaries.byName, [null]), "Invalid summaries[0]"],
    ["Summaries.numeric('x')", () => js(Summaries.numeric, "x"), "Invalid summaries[0] of Summaries.numeric"],
    ["Summaries.value(s, 'mean')", () => js(Summaries.value, summaries.get("acc"), "mean"), "Invalid aggregate"],
    ["Summaries.value({ valueMax }, 'max')", () => js(Summaries.value, { valueMax: "1" }, "max"), "Invalid summary"]
  ]
  for (const [name, call, fragment] of cases)
    it(`${name} throws the InvalidArgument naming the helper, not a TypeError or a null`, () => {
      let thrown: unknown
      try {
        call()
      } catch (error) {
        thrown = error
      }
      assert.instanceOf(thrown, InvalidArgument, name)
      assert.include((thrown as InvalidArgument).message, fragment)
    })

  it("what they took still works: null and undefined for none, iterables and records of experiments", () => {
    assert.strictEqual(Chart.last(null), null)
    assert.strictEqual(Chart.max(undefined), null)
    assert.strictEqual(Chart.series(undefined, "acc"), null)
    assert.strictEqual(Chart.last(Chart.series(e, "acc")), 0.9)
    assert.strictEqual([...Chart.rows([e])].length, 2)
    assert.strictEqual([...Chart.rows({ a: e })].length, 2)
    assert.strictEqual(Summaries.value(summaries.get("acc"), "min"), 0.5)
    assert.strictEqual(Summaries.value(summaries.get("nope"), "min"), null)
  })
})

describe("Chart.rows: the tidy view", () => {
  it("one row per experiment, metric and logged point, in order", () => {
    const chart = {
      a: experiment("a", [metric("loss", [2, null, 1]), metric("acc", [0.5])]),
      b: experiment("b", [metric("loss", [Number.POSITIVE_INFINITY], [7], { epochs: [3] })], {
        experimentName: null
      })
    }
    assert.deepStrictEqual(
      [...Chart.rows(chart)],
      [
        {
          experimentKey: "a",
          experimentName: "run-a",
          metric: "loss",
          step: 0,
          epoch: null,
          timestamp: 1_700_000_000_000,
          value: 2
        },
        {
          experimentKey: "a",
          experimentName: "run-a",
          metric: "loss",
          step: 2,
          epoch: null,
          timestamp: 1_700_000_000_002,
          value: 1
        },
        {
          experimentKey: "a",
          experimentName: "run-a",
          metric: "acc",
          step: 0,
          epoch: null,
          timestamp: 1_700_000_000_000,
          value: 0.5
        },
        {
          experimentKey: "b",
          experimentName: null,
          metric: "loss",
          step: 7,
          epoch: 3,
          timestamp: 1_700_000_000_000,
          value: Number.POSITIVE_INFINITY
        }
      ]
    )
    // An iterable of experiments works too, in its own order.
    assert.deepStrictEqual(
      [...Chart.rows([chart.b, chart.a])].map((r) => r.experimentKey),
      ["b", "a", "a", "a"]
    )
  })

  const arbMetric = fc
    .record({
      name: fc.constantFrom("loss", "acc", "lr"),
      values: fc.array(fc.oneof(fc.double(), fc.constant(null)), { maxLength: 30 }),
      shortAxes: fc.boolean()
    })
    .map(({ name, values, shortAxes }) =>
      // A hostile server may send axes shorter than the values: rows still come, with null there.
      metric(
        name,
        values,
        (shortAxes ? values.slice(0, values.length >> 1) : values).map((_, i) => i * 10)
      )
    )
  const arbChart = fc
    .uniqueArray(fc.stringMatching(/^[0-9a-f]{4}$/), { maxLength: 6 })
    .chain((keys) => fc.tuple(...keys.map((k) => fc.array(arbMetric, { maxLength: 4 }).map((ms) => experiment(k, ms)))))

  it("property: row count is the number of non-missing values; every row is one of them", () => {
    fc.assert(
      fc.property(arbChart, (experiments) => {
        const rows = [...Chart.rows(experiments)]
        const expected = experiments.flatMap((e) =>
          e.metrics.flatMap((m) =>
            m.values.flatMap((v, i) =>
              v === null ? [] : [{ k: e.experimentKey, m: m.metricName, v, step: m.steps?.[i] ?? null }]
            )
          )
        )
        assert.strictEqual(rows.length, expected.length)
        rows.forEach((r, i) => {
          const x = expected[i]!
          assert.strictEqual(r.experimentKey, x.k)
          assert.strictEqual(r.metric, x.m)
          assert.isTrue(Object.is(r.value, x.v))
          assert.strictEqual(r.step, x.step)
        })
      })
    )
  })

  it("property: last/min/max agree with the tidy rows of the series", () => {
    fc.assert(
      fc.property(arbMetric, (m) => {
        const values = Chart.points(m).map((p) => p.value)
        const ordered = values.filter((v) => !Number.isNaN(v))
        const lastValue = values.length === 0 ? null : values[values.length - 1]!
        const got = Chart.last(m)
        assert.isTrue(got === lastValue || (Number.isNaN(got) && Number.isNaN(lastValue)))
        assert.strictEqual(Chart.min(m), ordered.length === 0 ? null : Math.min(...ordered))
        assert.strictEqual(Chart.max(m), ordered.length === 0 ? null : Math.max(...ordered))
      })
    )
  })
})

describe("Summaries: values as numbers", () => {
  const s = (name: string, valueCurrent: string | null, valueMin: string | null, valueMax: string | null): Summary => ({
    name,
    valueCurrent,
    valueMin,
    valueMax,
    timestampCurrent: 5,
    timestampMin: 1,
    timestampMax: 2,
    runContextCurrent: null,
    runContextMin: null,
    runContextMax: null,
    stepCurrent: 30,
    stepMin: 10,
    stepMax: 20,
    editable: false
  })

  it("numbers, nan and inf are numbers; text stays text; absent is null", () => {
    const acc = Summaries.numeric(s("acc", "0.95", "0.1", "0.97"))
    assert.strictEqual(acc.last, 0.95)
    assert.strictEqual(acc.min, 0.1)
    assert.strictEqual(acc.max, 0.97)
    assert.strictEqual(acc.lastStep, 30)
    assert.strictEqual(acc.maxStep, 20)
    const weird = Summaries.numeric(s("loss", "nan", "-inf", null))
    assert.isTrue(Number.isNaN(weird.last))
    assert.strictEqual(weird.min, -Infinity)
    assert.isNull(weird.max)
    const optimizer = Summaries.numeric(s("optimizer", "adam", "adam", "adam"))
    assert.deepStrictEqual(optimizer.last, { text: "adam" })
    assert.isNull(Summaries.value(optimizer, "last"))
    assert.strictEqual(Summaries.display(optimizer.last), "adam")
    assert.strictEqual(Summaries.value(acc, "max"), 0.97)
    assert.isNull(Summaries.value(undefined, "last"))
  })

  it("byName keeps the first of duplicate names", () => {
    const m = Summaries.byName([s("a", "1", "1", "1"), s("b", "2", "2", "2"), s("a", "3", "3", "3")])
    assert.deepStrictEqual([...m.keys()], ["a", "b"])
    assert.strictEqual(m.get("a")?.last, 1)
  })

  it("property: any double written as text reads back; any other text is never a number", () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        const v = Summaries.readValue(String(x))
        assert.isTrue(typeof v === "number" && (Object.is(v, x) || v === x || (Number.isNaN(v) && Number.isNaN(x))))
      })
    )
    fc.assert(
      fc.property(
        fc.string().filter((t) => !/\d/.test(t) && !/nan|inf/i.test(t)),
        (t) => {
          assert.deepStrictEqual(Summaries.readValue(t), { text: t })
        }
      )
    )
  })
})

describe("Chart.stream: a large chart chunk by chunk", () => {
  const keys = Array.from({ length: 10 }, (_, i) => key(i))

  it.effect("requests one chunk at a time per slot, yields experiments in the order given, drops duplicates", () =>
    Effect.gen(function* () {
      const fake = new Fake(chartReply)
      const progress: Array<[number, number]> = []
      const out = yield* Chart.stream([...keys].reverse().concat(keys.slice(0, 2)), ["loss"], undefined, {
        chunkSize: 3,
        onProgress: (d, t) => progress.push([d, t])
      }).pipe(Stream.runCollect, Effect.provide(Testing.layerClient(fake.layer)))
      assert.deepStrictEqual(
        Chunk.toReadonlyArray(out).map((e) => e.experimentKey),
        [...keys].reverse()
      )
      assert.strictEqual(fake.count("experiments/multi-metric-chart"), 4)
      const bodies = fake.seen.map((s) => (s.body as { targetedExperiments: Array<string> }).targetedExperiments.length)
      assert.deepStrictEqual(
        [...bodies].sort((a, b) => a - b),
        [1, 3, 3, 3]
      )
      assert.deepStrictEqual(progress.at(-1), [10, 10])
    })
  )

  it.effect("is lazy: a consumer that stops early leaves later chunks unrequested", () =>
    Effect.gen(function* () {
      const fake = new Fake(chartReply)
      const many = Array.from({ length: 30 }, (_, i) => key(i))
      const first = yield* Chart.stream(many, ["loss"], undefined, { chunkSize: 3 }).pipe(
        Stream.take(1),
        Stream.runCollect,
        Effect.provide(Testing.layerClient(fake.layer))
      )
      assert.deepStrictEqual(
        Chunk.toReadonlyArray(first).map((e) => e.experimentKey),
        [key(0)]
      )
      assert.isAtMost(fake.count("experiments/multi-metric-chart"), 4)
    })
  )

  it.effect("the default chunk follows getMetricsForChart's (fetchFull: 100 series a request)", () =>
    Effect.gen(function* () {
      const fake = new Fake(chartReply)
      const many = Array.from({ length: 120 }, (_, i) => key(i))
      const out = yield* Chart.stream(many, ["a", "b", "c"], undefined, { fetchFull: true }).pipe(
        Stream.runCount,
        Effect.provide(Testing.layerClient(fake.layer))
      )
      assert.strictEqual(out, 120)
      // 33 experiments × 3 metrics per request.
      assert.strictEqual(fake.count("experiments/multi-metric-chart"), 4)
      assert.isTrue(fake.seen.every((s) => (s.body as { fetchFull: boolean }).fetchFull))
    })
  )

  it.effect("a failing chunk fails the stream with the typed error, after the chunks before it", () =>
    Effect.gen(function* () {
      let n = 0
      const fake = new Fake((req) => (++n === 2 ? { status: 500, json: { msg: "boom" } } : chartReply(req)))
      const seen: Array<string> = []
      const exit = yield* Chart.stream(keys, ["loss"], undefined, { chunkSize: 5, concurrency: 1 }).pipe(
        Stream.runForEach((e) => Effect.sync(() => seen.push(e.experimentKey))),
        Effect.provide(Testing.layerClient(fake.layer, { maxRetries: 0 })),
        Effect.exit
      )
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        const error = Cause.failureOption(exit.cause)
        assert.isTrue(Option.isSome(error) && error.value instanceof ServerError)
      }
      assert.deepStrictEqual(seen, keys.slice(0, 5))
    })
  )

  it.effect("no experiments or no metrics sends nothing", () =>
    Effect.gen(function* () {
      const fake = new Fake(chartReply)
      const a = yield* Chart.stream([], ["loss"]).pipe(Stream.runCount, Effect.provide(Testing.layerClient(fake.layer)))
      const b = yield* Chart.stream(keys, []).pipe(Stream.runCount, Effect.provide(Testing.layerClient(fake.layer)))
      assert.strictEqual(a + b, 0)
      assert.strictEqual(fake.count(), 0)
    })
  )
})
