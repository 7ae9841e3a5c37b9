/**
 * Issue 14: a panel ported from Python gets the same experiments and values as with comet_ml
 * 3.58.8 — or a typed error where comet_ml silently picks. Over the conformance check's parity
 * dataset (two runs named "baseline", Python patterns, a text-typed parameter, NaN/±Infinity),
 * through the Promise facade and `CometApi`.
 */
import { Ambiguous, InvalidArgument, NotFound } from "@comet-ts/core"
import * as Emulator from "@comet-ts/emulator"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { parityDataset } from "../../emulator/conformance/parity-dataset.js"
import { API, CometApi, Testing } from "../src/index.js"
import { Capture, facade as capturedFacade, emulator } from "./support/facade.js"

const { dataset, facts } = Effect.runSync(parityDataset(7))
const K = facts.keys as Record<"b1" | "b2" | "k1" | "k2" | "k3", string>
const ws = facts.workspace
const proj = facts.project
const emulatorLayer = Emulator.layerClient({ dataset })
const ApiLive = Testing.layerClient(emulatorLayer)

const facade = () =>
  new API({
    apiKey: "local-dev-key",
    baseUrl: "http://127.0.0.1:4820",
    httpClient: emulatorLayer.pipe(Layer.orDie),
    panel: false
  })

/** The rejection of a promise (failing the test when it resolves). */
const rejection = async (p: Promise<unknown>): Promise<unknown> => {
  try {
    const value = await p
    return assert.fail(`resolved with ${JSON.stringify(value)}`)
  } catch (e) {
    return e
  }
}

const requests = async (api: API, fn: () => Promise<unknown>) => {
  const before = await api.getPanelRequestCount()
  const value = await fn()
  return { value, requests: (await api.getPanelRequestCount()) - before }
}

describe("names are not keys", () => {
  const isAmbiguous = (e: unknown) => {
    assert.instanceOf(e, Ambiguous)
    const a = e as Ambiguous
    assert.strictEqual(a.name, "baseline")
    assert.strictEqual(a.scope, `${ws}/${proj}`)
    assert.deepStrictEqual(a.matches, [K.b1, K.b2], "every match, in the server's order")
    assert.include(a.message, K.b1)
    assert.include(a.message, K.b2)
  }

  it("every method that resolves a name fails with Ambiguous naming every matching key", async () => {
    await using api = facade()
    isAmbiguous(await rejection(api.get(`${ws}/${proj}/baseline`)))
    isAmbiguous(await rejection(api.get(ws, proj, "baseline")))
    isAmbiguous(await rejection(api.getExperiment(ws, proj, "baseline")))
    isAmbiguous(await rejection(api.getExperiment(`${ws}/${proj}/baseline`)))
    isAmbiguous(await rejection(api.getExperimentByName("baseline", { workspace: ws, projectName: proj })))
  })

  it.effect("in Effect code too, as a typed failure", () =>
    Effect.gen(function* () {
      const api = yield* CometApi
      const e = yield* Effect.flip(api.getExperiment(ws, proj, "baseline"))
      assert.strictEqual(e._tag, "Ambiguous")
      const byName = yield* Effect.flip(api.getExperimentByName("baseline", { workspace: ws, projectName: proj }))
      assert.strictEqual(byName._tag, "Ambiguous")
    }).pipe(Effect.provide(ApiLive))
  )

  it("a key is never ambiguous; a unique name resolves", async () => {
    await using api = facade()
    assert.strictEqual((await api.get(`${ws}/${proj}/${K.b1}`)).key, K.b1)
    assert.strictEqual((await api.getExperiment(ws, proj, K.b2)).key, K.b2)
    assert.strictEqual((await api.getExperiment(ws, proj, "keen_lemur")).key, K.k1)
    assert.strictEqual((await api.getExperimentByName("KEENER", { workspace: ws, projectName: proj })).key, K.k2)
  })
})

describe("a path names one place", () => {
  it("a key under a project that does not exist, or under another project, is refused naming where it is", async () => {
    await using api = facade()
    for (const path of [`${ws}/nope/${K.b1}`, `${ws}/${facts.otherProject}/${K.b1}`, `team-vision/${proj}/${K.b1}`]) {
      const e = await rejection(api.get(path))
      assert.instanceOf(e, InvalidArgument, path)
      const a = e as InvalidArgument
      assert.strictEqual(a.value, path)
      assert.include(a.reason, `${ws}/${proj}`, "says where the experiment is")
      assert.include(a.reason, path.slice(0, path.lastIndexOf("/")), "and where the path looked")
      assert.instanceOf(await rejection(api.getExperiment(path)), InvalidArgument)
    }
  })

  it("a name is looked up where the path says", async () => {
    await using api = facade()
    assert.instanceOf(await rejection(api.get(`${ws}/${facts.otherProject}/keen_lemur`)), NotFound)
  })
})

describe("summaries by name return what comet_ml returns", () => {
  it("getOthersSummary(name) is the list of current values; the entry has its own method", async () => {
    await using api = facade()
    const b1 = await api.getExperimentByKey(K.b1)
    assert.deepStrictEqual(await b1.getOthersSummary("dataset"), ["mnist"])
    const entry = await b1.getOthersSummaryEntry("dataset")
    assert.strictEqual(entry.name, "dataset")
    assert.strictEqual(entry.valueCurrent, "mnist")
    assert.deepStrictEqual(
      (await b1.getOthersSummary()).map((s) => s.name),
      ["Name", "dataset"]
    )
  })

  it("getMetricsSummary(name) and getParametersSummary(name) are the summary object (comet_ml's dict)", async () => {
    await using api = facade()
    const b1 = await api.getExperimentByKey(K.b1)
    const loss = await b1.getMetricsSummary("loss")
    assert.deepStrictEqual([loss.name, loss.valueMin, loss.valueMax, loss.valueCurrent], ["loss", "0.6", "0.9", "0.6"])
    const opt = await b1.getParametersSummary("opt")
    assert.deepStrictEqual([opt.name, opt.valueCurrent], ["opt", "adam"])
  })

  it("an unknown name is a NotFound (comet_ml returns [])", async () => {
    await using api = facade()
    const b1 = await api.getExperimentByKey(K.b1)
    for (const p of [b1.getOthersSummary("nope"), b1.getMetricsSummary("nope"), b1.getParametersSummary("nope")]) {
      const e = await rejection(p)
      assert.instanceOf(e, NotFound)
      assert.include((e as NotFound).id, "nope")
    }
  })
})

describe("getMetrics() without a name", () => {
  it("one request (experiment/metrics/get-all), in the server's order", async () => {
    await using api = facade()
    const k3 = await api.getExperimentByKey(K.k3)
    const { value, requests: n } = await requests(api, () => k3.getMetrics())
    assert.strictEqual(n, 1)
    const points = value as ReadonlyArray<{ metricName: string; metricValue: string; timestamp: number | null }>
    assert.deepStrictEqual(
      points.map((p) => [p.metricName, p.metricValue]),
      [
        ["loss", "1"],
        ["acc", "0.1"],
        ["loss", "NaN"],
        ["acc", "-Infinity"],
        ["acc", "0.3"],
        ["loss", "Infinity"],
        ["acc", "0.4"]
      ]
    )
    // With a name: that metric only, in its own order.
    assert.deepStrictEqual(
      (await k3.getMetrics("loss")).map((p) => p.metricValue),
      ["1", "NaN", "Infinity"]
    )
  })

  it("a server without get-all (404 for an experiment that exists) gets comet_ml's fallback: get-metric per metric column", async () => {
    const emu = emulator({ dataset })
    const oldServer: typeof globalThis.fetch = async (input, init) => {
      const request = new Request(input, init)
      if (new URL(request.url).pathname.endsWith("/experiment/metrics/get-all")) {
        return new Response(JSON.stringify({ code: 404, msg: "Not Found" }), {
          status: 404,
          headers: { "content-type": "application/json" }
        })
      }
      return emu.fetch(request)
    }
    const capture = new Capture()
    const api = capturedFacade(oldServer, capture)
    try {
      const points = await (await api.getExperimentByKey(K.k3)).getMetrics()
      // comet_ml's fallback: the project's metric columns in the server's order, each metric's
      // points in their own order, concatenated.
      const names = (await api.getProjectColumns(ws, proj)).filter((c) => c.source === "metrics").map((c) => c.name)
      assert.sameMembers(names, ["loss", "acc"])
      const perMetric: Record<string, ReadonlyArray<string>> = {
        loss: ["1", "NaN", "Infinity"],
        acc: ["0.1", "-Infinity", "0.3", "0.4"]
      }
      assert.deepStrictEqual(
        points.map((p) => [p.metricName, p.metricValue]),
        names.flatMap((n) => (perMetric[n] ?? []).map((v) => [n, v]))
      )
      const paths = capture.requests.map((r) => new URL(r.url).pathname.replace(/^.*\/api\/rest\/v2\//, ""))
      assert.includeMembers(paths, [
        "experiment/metrics/get-all",
        "project/column-names",
        "experiment/metrics/get-metric"
      ])
      // An unknown experiment stays a NotFound, not a fallback.
      const unknown = await rejection(api.run(Effect.flatMap(CometApi, (c) => c.getExperimentMetrics("f".repeat(32)))))
      assert.instanceOf(unknown, NotFound)
      assert.strictEqual((unknown as NotFound).endpoint, "experiment/metrics/get-all")
    } finally {
      await api.close()
    }
  })
})

describe("patterns are Python regular expressions, matched with re.match", () => {
  it("named groups, inline flags, anchoring at the start", async () => {
    await using api = facade()
    const keys = async (pattern: string) => (await api.getExperiments(ws, proj, pattern)).map((e) => e.key).sort()
    assert.deepStrictEqual(await keys("(?P<start>kee)"), [K.k1])
    assert.deepStrictEqual(await keys("(?i)KEEN"), [K.k1, K.k2].sort())
    assert.deepStrictEqual(await keys("een"), [], "re.match: at the start only")
    assert.deepStrictEqual(await keys("p(?P<n>e)(?P=n)k"), [K.k3])
    assert.deepStrictEqual(await keys(K.b1.slice(0, 6)), [K.b1], "keys match too")
    assert.deepStrictEqual((await api.getArchivedExperiments(ws, proj, "(?i)KEEN")).length, 0)
  })

  it("Python's errors, and what JavaScript cannot express, are InvalidArguments that say which", async () => {
    await using api = facade()
    const bad = (await rejection(api.getExperiments(ws, proj, "(?P<x"))) as InvalidArgument
    assert.instanceOf(bad, InvalidArgument)
    assert.include(bad.reason, "missing >, unterminated name at position 4")
    const js = (await rejection(api.getExperiments(ws, proj, "(a)(?(1)b|c)"))) as InvalidArgument
    assert.instanceOf(js, InvalidArgument)
    assert.include(js.reason, "conditional group")
  })
})

describe("getState()", () => {
  it("running, crashed or finished, from the metadata (comet_ml's get_state)", async () => {
    await using api = facade()
    for (const label of ["b1", "b2", "k1"] as const) {
      assert.strictEqual(await (await api.getExperimentByKey(K[label])).getState(), facts.states[label], label)
    }
  })
})

describe("queries comet_ml accepts", () => {
  it("~Tag, timezone-aware datetimes, text ordering, ~(A & B)", async () => {
    await using api = facade()
    const keys = async (q: string) => (await api.query(ws, proj, q)).map((e) => e.key).sort()
    assert.deepStrictEqual(await keys('~Tag("x")'), [K.b2, K.k2, K.k3].sort())
    assert.deepStrictEqual(
      await keys(
        'Metadata("start_server_timestamp") < datetime(2024, 1, 10, 15, 30, tzinfo=timezone(timedelta(hours=2)))'
      ),
      [K.b1, K.b2].sort()
    )
    assert.deepStrictEqual(await keys('Parameter("pct") > "55"'), [K.k1, K.k2, K.k3].sort(), '"9", "auto", "70" > "55"')
    const e = await rejection(api.query(ws, proj, 'Parameter("pct") > 55'))
    assert.strictEqual((e as { _tag: string })._tag, "QueryError")
    assert.include((e as Error).message, "lexicographic")
    assert.deepStrictEqual(
      await keys('~((Parameter("opt") == "adam") & (Metric("loss") < 0.5))'),
      [K.b1, K.b2, K.k2].sort(),
      "~A | ~B (comet_ml 3.58.8 sends ~A & ~B)"
    )
  })
})
