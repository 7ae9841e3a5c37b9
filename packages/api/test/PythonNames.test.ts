/**
 * A panel ported from Python carries comet_ml's keyword arguments over as option names:
 * `{ full: true }`, `{ return_type: "text" }`, `new API({ api_key, url_override })`. Options
 * objects ignore unknown keys, so each of these was dropped without a word — a sampled chart
 * instead of the full one, bytes instead of text, the key or the server left to the environment
 * (a self-hosted key sent to www.comet.com). Each is now an error naming the option comet-ts
 * calls it, before any request.
 */
import { isCometError } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { API } from "../src/index.js"
import { Capture, emulator, facade, ORIGIN, SECRET } from "./support/facade.js"

const emu = emulator({ seed: 1 })
const exp = emu.dataset.workspaces[0]!.projects[0]!.experiments[0]!
const KEY = exp.experimentKey
const ASSET = exp.assets[0]!.assetId

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e
  )

describe("options under comet_ml's (Python's) names are refused, naming comet-ts's", () => {
  it.live("method options: an InvalidArgument naming options.<python name> and the option to write; nothing sent", () =>
    Effect.promise(async () => {
      const capture = new Capture()
      const api = facade(emu.fetch, capture)
      const experiment = await api.getExperimentByKey(KEY)
      const before = capture.requests.length
      const cases: ReadonlyArray<readonly [string, string, () => Promise<unknown>]> = [
        ["full", "fetchFull", () => api.getMetricsForChart([KEY], ["loss"], [], { full: true } as never)],
        [
          "independent",
          "independentMetrics",
          () => api.getMetricsForChart([KEY], ["loss"], [], { independent: false } as never)
        ],
        ["fetch_full", "fetchFull", () => api.getMetricsForChart([KEY], ["loss"], [], { fetch_full: true } as never)],
        ["full", "fetchFull", () => experiment.getMetricsForChart(["loss"], [], { full: true } as never)],
        ["return_type", "returnType", () => api.getExperimentAsset(KEY, ASSET, { return_type: "text" } as never)],
        ["asset_type", "assetType", () => api.getExperimentAssetList(KEY, { asset_type: "image" } as never)],
        ["include_sys", "includeSys", () => api.getPanelMetricsNames({ include_sys: true } as never)]
      ]
      for (const [key, field, call] of cases) {
        const e = await rejection(call())
        assert.isTrue(isCometError(e) && e._tag === "InvalidArgument", `${key}: ${String(e)}`)
        if (!isCometError(e) || e._tag !== "InvalidArgument") continue
        assert.strictEqual(e.argument, `options.${key}`)
        assert.include(e.message, `write { ${field}: … }`)
      }
      assert.strictEqual(capture.requests.length, before)
      // the right names, and keys that are no option's Python name, still work
      const chart = await api.getMetricsForChart([KEY], ["loss"], [], { fetchFull: true, somethingElse: 1 } as never)
      assert.isDefined(chart[KEY])
      await api.close()
    })
  )

  it.live(
    "new API({ api_key | url_override | server_url | project_name }): every call rejects with the ConfigurationError naming it",
    () =>
      Effect.promise(async () => {
        for (const [key, field] of [
          ["api_key", "apiKey"],
          ["url_override", "baseUrl"],
          ["server_url", "baseUrl"],
          ["project_name", "projectName"]
        ] as const) {
          const capture = new Capture()
          const api = new API({
            apiKey: SECRET,
            baseUrl: ORIGIN,
            panel: false,
            httpClient: capture.client(emu.fetch),
            [key]: "x"
          } as never)
          const e = await rejection(api.getWorkspaces())
          assert.isTrue(isCometError(e) && e._tag === "ConfigurationError", `${key}: ${String(e)}`)
          if (isCometError(e) && e._tag === "ConfigurationError") {
            assert.strictEqual(e.setting, key)
            assert.include(e.message, `write { ${field}: … }`)
          }
          assert.strictEqual(capture.requests.length, 0)
          await api.close()
        }
      })
  )
})
