/**
 * What an options object may be, from plain JavaScript: a Map, a Set, a Date, an array, a
 * Promise or a boxed primitive given as a call's options or as `new API(...)`'s would read as
 * no options at all (the signal dropped, the key sent to the default server): each is refused
 * by type, never by value. Plain objects of any realm (a vm context) and class instances
 * holding their options as own properties pass. Symbol-keyed options are refused by a safe
 * description. A call's options object is read once, by the facade and the service together.
 */
import * as vm from "node:vm"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as fc from "fast-check"
import { API, CometApi } from "../src/index.js"
import { Capture, emulator, facade, SECRET } from "./support/facade.js"

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => assert.fail("resolved"),
    (e: unknown) => e as { readonly _tag: string; readonly message: string }
  )

/** Objects that are no options object, with what an error calls them. */
const notOptions = (): ReadonlyArray<readonly [unknown, string]> => [
  [new Map([["signal", AbortSignal.abort()]]), "a Map"],
  [new Set(["fetchFull"]), "a Set"],
  [new Date(0), "a Date"],
  [[AbortSignal.abort()], "an array"],
  [Promise.resolve({ fetchFull: true }), "a Promise"],
  [new Number(5), "a Number"],
  [new String("fetchFull"), "a String"],
  [vm.runInNewContext('new Map([["signal", 1]])'), "a Map"],
  [new Error("options"), "an Error"]
]

describe("options objects that are no options object", () => {
  it.live("a call refuses them by type (InvalidArgument options); nothing is sent", () =>
    Effect.promise(async () => {
      const emu = emulator({ seed: 1 })
      const exp = emu.dataset.workspaces[0]!.projects[0]!.experiments[0]!
      const capture = new Capture()
      const api = facade(emu.fetch, capture)
      const experiment = await api.getExperimentByKey(exp.experimentKey)
      capture.requests.length = 0
      for (const [options, what] of notOptions()) {
        for (const call of [
          () => api.getExperimentMetrics(exp.experimentKey, undefined, options as never),
          () => api.getWorkspaces(options as never),
          () => api.getMetricsForChart([exp.experimentKey], ["loss"], [], options as never),
          () => experiment.getName(options as never),
          () => experiment.getMetricsForChart(["loss"], [], options as never)
        ]) {
          const e = await rejection(call())
          assert.strictEqual(e._tag, "InvalidArgument", e.message)
          assert.include(e.message, "Invalid options")
          assert.include(e.message, what)
          assert.include(e.message, "must be a plain object of options")
        }
      }
      // the Stream methods refuse them at the first step
      const stream = api.streamExperiments("ws", "proj", new Map() as never)
      const e = await rejection(stream[Symbol.asyncIterator]().next())
      assert.strictEqual(e._tag, "InvalidArgument")
      assert.include(e.message, "a Map")
      assert.deepStrictEqual(capture.requests, [], "nothing is sent")
      await api.close()
    })
  )

  it.live("new API(...) refuses them by type (ConfigurationError options), and its panel values' names too", () =>
    Effect.promise(async () => {
      for (const [options, what] of notOptions()) {
        const api = new API(options as never)
        const e = await rejection(api.getWorkspaces())
        assert.strictEqual(e._tag, "ConfigurationError", e.message)
        // (an array is refused by the type check, "an options object", before its names are read)
        assert.include(e.message, "Configuration problem with options: must be a")
        assert.include(e.message, `not ${what}`)
        await api.close()
      }
      const emu = emulator()
      const panel = facade(emu.fetch, new Capture(), { panel: { workspace: "w", projectNme: "p" } as never })
      const e = await rejection(panel.getWorkspaces())
      assert.strictEqual(e._tag, "ConfigurationError")
      assert.include(e.message, "Configuration problem with panel.projectNme: is not an option of the panel values")
      assert.include(e.message, "(did you mean projectName?)")
      await panel.close()
    })
  )

  it.live("a value's contents are never shown: a Map holding the API key is described as a Map", () =>
    Effect.promise(async () => {
      const api = new API(new Map([["apiKey", SECRET]]) as never)
      const e = await rejection(api.getWorkspaces())
      assert.notInclude(e.message, SECRET)
      assert.notInclude(JSON.stringify(e), SECRET)
      await api.close()
    })
  )

  it.live("plain objects of another realm and class instances with own options pass, and are used", () =>
    Effect.promise(async () => {
      const emu = emulator({ seed: 1 })
      const exp = emu.dataset.workspaces[0]!.projects[0]!.experiments[0]!
      const api = facade(emu.fetch, new Capture())
      class ChartSettings {
        readonly fetchFull = true
        readonly callTimeoutMs = 30_000
      }
      const full = await api.getMetricsForChart([exp.experimentKey], ["loss"], [], { fetchFull: true })
      for (const options of [new ChartSettings(), vm.runInNewContext("({ fetchFull: true, callTimeoutMs: 30000 })")]) {
        const chart = await api.getMetricsForChart([exp.experimentKey], ["loss"], [], options)
        assert.deepStrictEqual(chart, full)
      }
      // an aborted signal in a vm-realm object is honoured, not dropped
      const aborted = vm.runInNewContext("({ signal })", { signal: AbortSignal.abort() })
      const e = await rejection(api.getExperimentMetrics(exp.experimentKey, undefined, aborted))
      assert.strictEqual(e._tag, "TransportError")
      assert.include(e.message, "aborted")
      await api.close()
    })
  )
})

describe("symbol-keyed options", () => {
  it.live("a call and new API(...) refuse them, naming the symbol by its description, never the value", () =>
    Effect.promise(async () => {
      const emu = emulator({ seed: 1 })
      const exp = emu.dataset.workspaces[0]!.projects[0]!.experiments[0]!
      const capture = new Capture()
      const api = facade(emu.fetch, capture)
      const signal = Symbol("signal")
      const e = await rejection(
        api.getExperimentMetrics(exp.experimentKey, undefined, { [signal]: AbortSignal.abort() } as never)
      )
      assert.strictEqual(e._tag, "InvalidArgument")
      assert.include(e.message, "options.Symbol(signal)")
      assert.include(e.message, "is not an option of any call")
      const secret = await rejection(api.getWorkspaces({ [Symbol.for("token")]: SECRET } as never))
      assert.include(secret.message, "Symbol(token)")
      assert.notInclude(JSON.stringify(secret), SECRET)
      assert.deepStrictEqual(capture.requests, [])
      await api.close()
      const config = new API({ apiKey: SECRET, panel: false, [Symbol("baseUrl")]: "https://x.invalid" } as never)
      const c = await rejection(config.getWorkspaces())
      assert.strictEqual(c._tag, "ConfigurationError")
      assert.include(c.message, "Configuration problem with Symbol(baseUrl): is not an option of new API(...)")
      await config.close()
      // the API key as a symbol's description is masked
      const masked = new API({ apiKey: SECRET, panel: false, [Symbol(SECRET)]: 1 } as never)
      const m = await rejection(masked.getWorkspaces())
      assert.strictEqual(m._tag, "ConfigurationError")
      assert.notInclude(JSON.stringify(m), SECRET)
      assert.notInclude(m.message, SECRET)
      await masked.close()
    })
  )

  it.live("any symbol key on a call's options is refused (property)", () =>
    Effect.promise(async () => {
      const emu = emulator({ seed: 1 })
      const api = facade(emu.fetch, new Capture())
      await fc.assert(
        fc.asyncProperty(fc.string({ maxLength: 80 }), fc.anything(), async (description, value) => {
          const e = await rejection(api.getWorkspaces({ [Symbol(description)]: value } as never))
          assert.strictEqual(e._tag, "InvalidArgument")
          assert.include(e.message, "options.Symbol(")
          // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may reach a message
          assert.notMatch(e.message, /[\u0000-\u001f]/)
        }),
        { numRuns: 100 }
      )
      await api.close()
    })
  )
})

describe("a call's options are read once", () => {
  /** Options whose every read is counted: own-name listing and each property read. */
  const counted = (target: Record<string, unknown>) => {
    const reads: Array<string> = []
    const proxy = new Proxy(target, {
      get(t, k, r) {
        if (typeof k === "string") reads.push(k)
        return Reflect.get(t, k, r)
      },
      ownKeys(t) {
        reads.push("(keys)")
        return Reflect.ownKeys(t)
      }
    })
    return { proxy, reads }
  }

  it.live("by the facade and the service together: each name once, the keys listed once", () =>
    Effect.promise(async () => {
      const emu = emulator({ seed: 1 })
      const exp = emu.dataset.workspaces[0]!.projects[0]!.experiments[0]!
      const api = facade(emu.fetch, new Capture())
      const experiment = await api.getExperimentByKey(exp.experimentKey)
      for (const call of [
        (o: object) => api.getMetricsForChart([exp.experimentKey], ["loss"], [], o),
        (o: object) => api.getExperimentName(exp.experimentKey, o),
        (o: object) => experiment.getMetricsForChart(["loss"], [], o),
        (o: object) => experiment.getName(o)
      ]) {
        const { proxy, reads } = counted({ fetchFull: true, maxLength: 50, callTimeoutMs: 30_000 })
        await call(proxy)
        assert.strictEqual(reads.filter((r) => r === "(keys)").length, 1, reads.join(","))
        for (const name of ["fetchFull", "maxLength", "callTimeoutMs"]) {
          assert.strictEqual(reads.filter((r) => r === name).length, 1, `${name}: ${reads.join(",")}`)
        }
      }
      await api.close()
    })
  )

  it.live("a getter of a call option runs once per call", () =>
    Effect.promise(async () => {
      const emu = emulator({ seed: 1 })
      const exp = emu.dataset.workspaces[0]!.projects[0]!.experiments[0]!
      const api = facade(emu.fetch, new Capture())
      let n = 0
      const options = {
        get maxLength(): unknown {
          n++
          return n === 1 ? 100 : "long"
        }
      }
      const name = await api.getExperimentName(exp.experimentKey, options as never)
      assert.strictEqual(typeof name === "string" || name === null, true)
      assert.strictEqual(n, 1)
      await api.close()
    })
  )

  it.effect("Effect users of the service are still checked: names, types, objects that are no options", () =>
    Effect.gen(function* () {
      const emu = emulator({ seed: 1 })
      const exp = emu.dataset.workspaces[0]!.projects[0]!.experiments[0]!
      const api = facade(emu.fetch, new Capture())
      for (const [options, text] of [
        [{ fullFetch: true }, "options.fullFetch"],
        [{ fetchFull: "yes" }, "options.fetchFull"],
        [new Map([["fetchFull", true]]), "a Map"],
        [{ [Symbol("fetchFull")]: true }, "options.Symbol(fetchFull)"]
      ] as const) {
        const exit = yield* Effect.promise(() =>
          api.run(
            Effect.exit(
              Effect.flatMap(CometApi, (c) => c.getMetricsForChart([exp.experimentKey], ["loss"], [], options as never))
            )
          )
        )
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isFailure(exit)) assert.include(String(exit.cause), text)
      }
      yield* Effect.promise(() => api.close())
    })
  )
})
