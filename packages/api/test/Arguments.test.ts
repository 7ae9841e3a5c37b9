/**
 * Any input from JavaScript is a typed error (issue 13, kind 7), as a property: arbitrary
 * JavaScript values — `fast-check`'s `anything()`, plus values built to hurt (no prototype,
 * throwing getters, throwing Proxies, cycles, BigInts, symbols, 10,000-deep arrays, fake
 * AbortSignals) — thrown at every method of the Promise facade (`API` and `APIExperiment`) and
 * of the `CometApi` service. Every call ends in a value or a typed `CometError`: never a
 * synchronous throw, a `TypeError`, a `RangeError` or a defect; and the key leaks nowhere.
 */
import { CometConfig, isCometError } from "@comet-ts/core"
import * as Http from "@comet-ts/http"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Stream } from "effect"
import fc from "fast-check"
import { API, APIExperiment, CometApi, CometApiLayer, Panel } from "../src/index.js"
import { Capture, emulator, facade, ORIGIN, SECRET } from "./support/facade.js"

const emu = emulator({ seed: 1 })
const ws = emu.dataset.workspaces[0]!
const project = ws.projects[0]!
const exp = project.experiments[0]!
const KEY = exp.experimentKey

const deepArray = (() => {
  let v: unknown = "x"
  for (let i = 0; i < 10_000; i++) v = [v]
  return v
})()

const cyclic = (() => {
  const o: Record<string, unknown> = { key: KEY }
  o.self = o
  o.signal = o
  return o
})()

/** A Proxy whose every trap throws (fast-check cannot draw it: it is used in the loops only). */
const throwingProxy = new Proxy(
  {},
  {
    get: () => {
      throw new TypeError("proxy get")
    },
    has: () => {
      throw new TypeError("proxy has")
    },
    ownKeys: () => {
      throw new TypeError("proxy ownKeys")
    },
    getPrototypeOf: () => {
      throw new TypeError("proxy getPrototypeOf")
    }
  }
)

/** Values built to break code that trusts its input. */
const hurtful: ReadonlyArray<unknown> = [
  null,
  undefined,
  Object.create(null),
  Object.assign(Object.create(null), { key: KEY }),
  {
    get key() {
      throw new TypeError("getter")
    }
  },
  {
    get signal() {
      throw new Error("getter")
    }
  },
  throwingProxy,
  cyclic,
  10n,
  Symbol("s"),
  () => KEY,
  deepArray,
  [deepArray],
  { toString: 1, valueOf: 2 },
  new Date(Number.NaN),
  /regex/,
  new Map([[KEY, KEY]]),
  { signal: { aborted: "no", addEventListener: 1 } },
  { signal: new EventTarget() },
  { maxLength: Number.NaN },
  { returnType: "xml" },
  Number.POSITIVE_INFINITY,
  -0,
  "",
  "   ",
  "bad\uD800",
  "a/b/c/d",
  "x".repeat(100_000),
  [KEY, null],
  [{ key: 1 }],
  [{}]
]

/** Values plausible enough to get past the first check (so later checks are reached too). */
const plausible = fc.constantFrom<unknown>(
  KEY,
  ws.name,
  project.projectName,
  `${ws.name}/${project.projectName}`,
  "loss",
  exp.assets[0]!.assetId,
  [KEY],
  ["loss"],
  'Metric("loss") < 1',
  {},
  { returnType: "json" }
)

const value = fc.oneof(
  { weight: 2, arbitrary: fc.anything({ maxDepth: 2, maxKeys: 4, withBigInt: true, withNullPrototype: true }) },
  { weight: 2, arbitrary: fc.constantFrom(...hurtful.filter((v) => v !== throwingProxy)) },
  { weight: 3, arbitrary: plausible }
)

const argsArb = fc.array(value, { maxLength: 5 })

type Outcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown; readonly how: string }

const isAsyncIterable = (u: unknown): u is AsyncIterable<unknown> =>
  typeof u === "object" && u !== null && Symbol.asyncIterator in u

/** Call a facade method as plain JavaScript would, and see how it ends. */
const callFacade = async (target: object, name: string, args: ReadonlyArray<unknown>): Promise<Outcome> => {
  let result: unknown
  try {
    result = Reflect.apply(Reflect.get(target, name) as (...a: ReadonlyArray<unknown>) => unknown, target, args)
  } catch (error) {
    return { ok: false, error, how: "threw synchronously" }
  }
  try {
    if (isAsyncIterable(result)) {
      const it = result[Symbol.asyncIterator]()
      for (let i = 0; i < 3; i++) if ((await it.next()).done === true) break
      await it.return?.()
    } else if (result instanceof Promise) await result
    else return { ok: false, error: result, how: "returned neither a Promise nor an async iterable" }
    return { ok: true }
  } catch (error) {
    return isCometError(error) ? { ok: true } : { ok: false, error, how: "rejected with a non-CometError" }
  }
}

const methodsOf = (proto: object, skip: ReadonlyArray<string>): ReadonlyArray<string> =>
  Object.getOwnPropertyNames(proto).filter(
    (n) => n !== "constructor" && !skip.includes(n) && typeof Reflect.get(proto, n) === "function"
  )

/** The facade's methods: all of API's but the ones that manage the client itself. */
const apiMethods = methodsOf(API.prototype, [
  "close",
  "iterate",
  "iterateAs",
  "download",
  "runAs",
  "runWith",
  "call",
  "callStream",
  "wrapAny"
])
const experimentMethods = methodsOf(APIExperiment.prototype, [])

describe("arbitrary JavaScript values at every method end in a value or a typed CometError", () => {
  it("the method lists are complete (every method of the facade is thrown at)", () => {
    assert.isAtLeast(apiMethods.length, 60)
    assert.isAtLeast(experimentMethods.length, 26)
    for (const m of ["getMetricsForChart", "query", "getExperimentByName", "streamExperimentAsset", "run"]) {
      assert.include(apiMethods, m)
    }
    for (const m of ["getAsset", "getMetricsSummary", "streamAsset", "getMetricsForChart"]) {
      assert.include(experimentMethods, m)
    }
  })

  it.live(
    "the Promise facade: API and APIExperiment",
    () =>
      Effect.promise(async () => {
        const capture = new Capture()
        const api = facade(emu.fetch, capture, {
          maxRetries: 0,
          panel: { workspace: ws.name, projectName: project.projectName }
        })
        const experiment = await api.getExperimentByKey(KEY)
        const targets: ReadonlyArray<readonly [object, string]> = [
          ...apiMethods.map((m) => [api, m] as const),
          ...experimentMethods.map((m) => [experiment, m] as const)
        ]
        const failures: Array<string> = []
        await fc.assert(
          fc.asyncProperty(fc.constantFrom(...targets), argsArb, async ([target, name], args) => {
            const outcome = await callFacade(target, name, args)
            if (!outcome.ok) {
              failures.push(`${name}: ${outcome.how}: ${String(outcome.error)}`)
              capture.error(outcome.error)
            }
            return outcome.ok
          }),
          { numRuns: 1000 }
        )
        // every method, with each hurtful value in each position it has
        for (const [target, name] of targets) {
          for (const v of hurtful) {
            for (const args of [[v], [KEY, v], [ws.name, project.projectName, v, v]]) {
              const outcome = await callFacade(target, name, args)
              if (!outcome.ok) failures.push(`${name}(${args.length} args): ${outcome.how}: ${String(outcome.error)}`)
            }
          }
        }
        await api.close()
        assert.deepStrictEqual(failures, [])
        assert.deepStrictEqual(capture.leaks(SECRET, [ORIGIN]), [])
      }),
    240_000
  )

  it.live(
    "the CometApi service: a typed failure, never a defect",
    () =>
      Effect.gen(function* () {
        const capture = new Capture()
        const layer = CometApiLayer.layer().pipe(
          Layer.provideMerge(Http.layer({ apiKey: SECRET, baseUrl: ORIGIN, maxRetries: 0 })),
          Layer.provide(capture.client(emu.fetch)),
          Layer.provideMerge(Panel.layerUnavailable("no panel here"))
        )
        const context = yield* Layer.build(layer)
        const api = yield* Effect.provide(CometApi, context)
        const methods = Object.keys(api).filter((k) => typeof Reflect.get(api, k) === "function")
        assert.isAtLeast(methods.length, 60)
        const run = (name: string, args: ReadonlyArray<unknown>) =>
          Effect.gen(function* () {
            let made: unknown
            try {
              made = Reflect.apply(Reflect.get(api, name) as (...a: ReadonlyArray<unknown>) => unknown, api, args)
            } catch (error) {
              return `${name}: threw ${String(error)}`
            }
            const effect =
              Stream.StreamTypeId in (made as object)
                ? Stream.runDrain(Stream.take(made as Stream.Stream<unknown, unknown>, 3))
                : (made as Effect.Effect<unknown, unknown>)
            const exit = yield* Effect.exit(Effect.provide(effect, context))
            if (Exit.isSuccess(exit)) return null
            const failure = Cause.failureOption(exit.cause)
            if (failure._tag === "None") return `${name}: ${Cause.pretty(exit.cause).slice(0, 300)}`
            return isCometError(failure.value) ? null : `${name}: failed with ${String(failure.value)}`
          })
        const failures: Array<string> = []
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(fc.constantFrom(...methods), argsArb, async (name, args) => {
              const problem = await Effect.runPromise(run(name, args))
              if (problem !== null) failures.push(problem)
              return problem === null
            }),
            { numRuns: 1000 }
          )
        )
        for (const name of methods) {
          for (const v of hurtful) {
            const problem = yield* run(name, [v, v, v])
            if (problem !== null) failures.push(problem)
          }
        }
        assert.deepStrictEqual(failures, [])
        assert.deepStrictEqual(capture.leaks(SECRET, [ORIGIN]), [])
      }).pipe(Effect.scoped),
    240_000
  )

  it.live(
    "new API(options) with arbitrary option values: every call rejects with a CometError or works",
    () =>
      Effect.promise(async () => {
        const optionValue = fc.oneof(
          fc.anything({ maxDepth: 1 }),
          fc.constantFrom(...hurtful.filter((v) => v !== throwingProxy))
        )
        const optionName = fc.constantFrom(
          "apiKey",
          "baseUrl",
          "timeoutMs",
          "downloadTimeoutMs",
          "maxConcurrency",
          "maxRetries",
          "rateLimit",
          "allowInsecureHttp",
          "workspace",
          "projectName",
          "panel",
          "httpClient",
          "http",
          "chartChunkSize",
          "orStrategy",
          "sources"
        )
        await fc.assert(
          fc.asyncProperty(fc.dictionary(optionName, optionValue, { maxKeys: 3 }), async (options) => {
            let api: API
            try {
              api = new API({
                apiKey: SECRET,
                baseUrl: ORIGIN,
                panel: false,
                sources: CometConfig.staticSources({}),
                httpClient: new Capture().client(emu.fetch),
                ...(options as object)
              })
            } catch (error) {
              assert.fail(`new API threw ${String(error)} for ${Object.keys(options).join(", ")}`)
            }
            // (a tiny timeoutMs with the default retries may legitimately retry for minutes: bounded here)
            const outcome = await callFacade(api, "getWorkspaces", [{ signal: AbortSignal.timeout(2_000) }])
            await api.close()
            if (!outcome.ok) assert.fail(`${Object.keys(options).join(", ")}: ${outcome.how}: ${String(outcome.error)}`)
            return true
          }),
          { numRuns: 300 }
        )
      }),
    120_000
  )
})
