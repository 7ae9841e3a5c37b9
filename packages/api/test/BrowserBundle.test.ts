/**
 * What a browser gets when a page imports the facade: no test-only code (fast-check, which
 * effect's Schema reaches through its Arbitrary support), nothing of Node, and no emulator.
 */
import { join } from "node:path"
import { CometConfig, type ResolvedConfig } from "@comet-ts/core"
import * as Http from "@comet-ts/http"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import * as CometApi from "../src/CometApi.js"
import { bundleForBrowser, bytesByPackage, facadeBundle, sizes } from "./support/browserBundle.js"

const TEST_ONLY = ["fast-check", "pure-rand", "@effect/vitest", "vitest", "@comet-ts/emulator", "packages/emulator"]
const NODE_ONLY = ["@effect/platform-node", "undici", "ws"]

describe("the facade's browser bundle", () => {
  it.live(
    "contains the facade, and no fast-check, no test support and nothing of Node",
    () =>
      Effect.map(
        Effect.promise(() => facadeBundle()),
        (bundle) => {
          const packages = bytesByPackage(bundle).map(([name]) => name)
          for (const name of ["packages/api", "packages/http", "packages/core", "effect", "@effect/platform"])
            assert.include(packages, name)
          for (const name of [...TEST_ONLY, ...NODE_ONLY]) assert.notInclude(packages, name)
          const kept = Object.values(bundle.metafile.outputs).flatMap((o) =>
            Object.entries(o.inputs).filter(
              ([path, i]) => i.bytesInOutput > 0 && /fast-check|pure-rand|node:/.test(path)
            )
          )
          assert.deepStrictEqual(kept, [])
          // Imports through effect's barrels made it 713 KB; this bound catches that regression.
          assert.isBelow(sizes(bundle.code).bytes, 600_000)
        }
      ),
    60_000
  )

  it.live(
    "the check can fail: Schema through effect's barrel drags fast-check in",
    () =>
      Effect.map(
        Effect.promise(() =>
          bundleForBrowser({
            contents: `import { Schema } from "effect"\nconsole.log(Schema.String)\n`,
            resolveDir: join(import.meta.dirname, ".."),
            minify: true
          })
        ),
        (bundle) =>
          assert.include(
            bytesByPackage(bundle).map(([name]) => name),
            "fast-check"
          )
      ),
    60_000
  )
})

describe("what the facade reaches of CometHttp and CometConfig", () => {
  it.live(
    "not the class's statics: CometHttp.layer's option checks are not in the bundle",
    () =>
      Effect.map(
        Effect.promise(() => facadeBundle()),
        (bundle) => {
          const code = new TextDecoder().decode(bundle.code)
          // the facade builds its transport with layerConfigTransport / layerConfigWith only:
          // layer's and layerTransport's own check of their options' names is not carried
          assert.notInclude(code, '"CometHttp.layer"')
          assert.include(code, '"the http settings"')
        }
      ),
    60_000
  )

  it.effect("CometApi finds the service CometHttp's own tag provides (one key)", () =>
    Effect.gen(function* () {
      const http = {} as Http.CometHttpShape
      const stats = {} as Http.RequestStatsShape
      const api = yield* Effect.scoped(
        CometApi.make().pipe(
          Effect.provideService(Http.CometHttp, http),
          Effect.provideService(Http.RequestStats, stats)
        )
      )
      assert.strictEqual(typeof api.getWorkspaces, "function")
    })
  )

  it.effect("CometApi.layerConfigWith finds the configuration CometConfig's own tag provides (one key)", () =>
    Effect.gen(function* () {
      const config = { workspace: "ws-from-config", projectName: "p-from-config" } as ResolvedConfig
      const context = yield* Layer.build(CometApi.layerConfigWith({})).pipe(
        Effect.provideService(CometConfig, config),
        Effect.provideService(Http.CometHttp, {} as Http.CometHttpShape),
        Effect.provideService(Http.RequestStats, {} as Http.RequestStatsShape),
        Effect.scoped
      )
      assert.isTrue(Context.getOption(context, CometApi.CometApi)._tag === "Some")
    })
  )
})
