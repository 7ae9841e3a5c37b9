/**
 * A call ported from Python as written: Python passes keyword arguments positionally
 * (`api.get_experiment_asset_list(key, "image")`, `api.query(ws, p, q, True)`), where the facade
 * takes them in its trailing options object. Each is an `InvalidArgument` naming the option that
 * takes that value here (and the Python keyword), with nothing sent.
 */

import { ConfigurationError } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { API, InvalidArgument } from "../src/index.js"
import { Capture, emulator, facade, SECRET } from "./support/facade.js"

const emu = emulator({ seed: 1 })
const ws = emu.dataset.workspaces[0]!
const project = ws.projects[0]!
const KEY = project.experiments[0]!.experimentKey

/** A facade method called with arguments the TypeScript types refuse (what plain JavaScript does). */
const untyped = (target: object, method: string, ...args: ReadonlyArray<unknown>): Promise<unknown> =>
  (Reflect.get(target, method) as (...a: ReadonlyArray<unknown>) => Promise<unknown>).apply(target, [...args])

describe("Python's positional keyword arguments", () => {
  it.live("are refused with the option that takes them named; nothing is sent", () =>
    Effect.promise(async () => {
      const capture = new Capture()
      const api: API = facade(emu.fetch, capture, { maxRetries: 0 })
      const experiment = await api.getExperimentByKey(KEY)
      const sentBefore = capture.requests.length
      const cases: ReadonlyArray<readonly [object, string, ReadonlyArray<unknown>, string]> = [
        [
          api,
          "getExperimentAssetList",
          [KEY, "image"],
          'asset_type is the option assetType here: getExperimentAssetList(…, { assetType: "image" })'
        ],
        [
          api,
          "getExperimentAsset",
          [KEY, "a1", "text"],
          'return_type is the option returnType here: getExperimentAsset(…, { returnType: "text" })'
        ],
        [api, "getExperimentAssetByName", [KEY, "f.txt", "json"], '{ returnType: "json" }'],
        [
          api,
          "getExperimentName",
          [KEY, 3],
          "max_length is the option maxLength here: getExperimentName(…, { maxLength: 3 })"
        ],
        [
          api,
          "query",
          [ws.name, project.projectName, 'Tag("best")', true],
          "archived is the option archived here: query(…, { archived: true })"
        ],
        [api, "queryProject", [ws.name, project.projectName, [], true], "{ archived: true }"],
        [
          api,
          "getMetricsForChart",
          [[KEY], ["loss"], [], false],
          "independent_metrics is the option independentMetrics here"
        ],
        [api, "getPanelMetricsNames", [true], "include_sys is the option includeSys here"],
        [experiment, "getAsset", ["a1", "text"], 'getAsset(…, { returnType: "text" })'],
        [experiment, "getName", [3], "getName(…, { maxLength: 3 })"]
      ]
      for (const [target, method, args, fragment] of cases) {
        const error = await untyped(target, method, ...args).then(
          () => assert.fail(`${method} resolved`),
          (e: unknown) => e
        )
        assert.instanceOf(error, InvalidArgument, method)
        const invalid = error as InvalidArgument
        assert.strictEqual(invalid.argument, "options", method)
        assert.include(invalid.message, "must be an options object", method)
        assert.include(invalid.message, fragment, method)
      }
      // a method with no such keyword keeps the plain message
      const plain = await untyped(api, "getExperimentTags", KEY, "x").then(
        () => assert.fail("resolved"),
        (e: unknown) => e as InvalidArgument
      )
      assert.notInclude(plain.message, "Python's positional")
      assert.strictEqual(capture.requests.length, sentBefore, "nothing is sent")
      await api.close()
    })
  )

  it.live("a None in a list of names (comet_ml drops it) is refused naming the element, in a sentence", () =>
    Effect.promise(async () => {
      const capture = new Capture()
      const api: API = facade(emu.fetch, capture, { maxRetries: 0 })
      const expected: ReadonlyArray<readonly [ReadonlyArray<unknown>, string]> = [
        [[[KEY], ["loss", null]], 'Invalid metrics[1] "null": must be a metric name (a string), not null.'],
        [[[KEY], ["loss"], [null]], 'Invalid parameters[0] "null": must be a parameter name (a string), not null.']
      ]
      for (const [args, message] of expected) {
        const error = await untyped(api, "getMetricsForChart", ...args).then(
          () => assert.fail("resolved"),
          (e: unknown) => e as InvalidArgument
        )
        assert.strictEqual(error.message, message)
      }
      assert.strictEqual(capture.requests.length, 0)
      await api.close()
    })
  )

  it.live("new API(key), Python's API(api_key), names the option apiKey and never shows the key", () =>
    Effect.promise(async () => {
      const capture = new Capture()
      const api = Reflect.construct(API, [SECRET]) as API
      const error = await api.getWorkspaces().then(
        () => assert.fail("resolved"),
        (e: unknown) => e
      )
      assert.instanceOf(error, ConfigurationError)
      const message = (error as ConfigurationError).message
      assert.include(message, "Python's positional api_key is the option apiKey here: new API({ apiKey })")
      assert.notInclude(message, SECRET)
      capture.error(error)
      assert.deepStrictEqual(capture.leaks(SECRET, []), [])
      await api.close()
    })
  )
})
