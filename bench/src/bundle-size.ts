/**
 * Bundle size: what the Promise facade costs a browser page. `export { API } from
 * "@comet-ts/api"` bundled by esbuild for the browser (platform browser, ESM, ES2022, minified),
 * then gzip (level 9) and brotli (quality 11), with the bytes each package contributes. The
 * baseline is the floor of any client on the same stack: one `HttpClient` GET decoded with a
 * Schema, run through a `ManagedRuntime` over `FetchHttpClient`. Test-only code must not be in
 * the facade's bundle: the entry records fast-check's bytes (0 expected; effect's Schema reaches
 * fast-check through its Arbitrary support when imported through effect's barrel).
 */
import { join } from "node:path"
import {
  type BrowserBundle,
  bundleForBrowser,
  bytesByPackage,
  facadeBundle,
  sizes
} from "../../packages/api/test/support/browserBundle.js"
import type { Benchmark, Result } from "./types.js"
import { round } from "./util.js"

/** The budget: 150 KiB min+gzip, about 15 % over the facade's size when it was set. */
const BUDGET_KIB = 150

const FLOOR = `
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schema from "effect/Schema"
const runtime = ManagedRuntime.make(FetchHttpClient.layer)
const Workspaces = Schema.Struct({ workspaceNames: Schema.Array(Schema.String) })
export const getWorkspaces = (baseUrl: string, apiKey: string) =>
  runtime.runPromise(
    Effect.scoped(
      Effect.flatMap(HttpClient.HttpClient, (client) =>
        client.get(baseUrl + "/api/rest/v2/workspaces", { headers: { authorization: apiKey } })
      ).pipe(Effect.flatMap(HttpClientResponse.schemaBodyJson(Workspaces)))
    )
  )
`

const kib = (bytes: number) => round(bytes / 1024, 1)

const figures = (bundle: BrowserBundle) => {
  const s = sizes(bundle.code)
  const packages = bytesByPackage(bundle)
  const fastCheckBytes = packages
    .filter(([name]) => name === "fast-check" || name === "pure-rand")
    .reduce((total, [, bytes]) => total + bytes, 0)
  return {
    minifiedBytes: s.bytes,
    gzipBytes: s.gzipBytes,
    brotliBytes: s.brotliBytes,
    minifiedKiB: kib(s.bytes),
    gzipKiB: kib(s.gzipBytes),
    brotliKiB: kib(s.brotliBytes),
    fastCheckBytes,
    bytesByPackage: Object.fromEntries(packages)
  }
}

export const bundleSize: Benchmark = {
  name: "bundle-size",
  run: async (ctx) => {
    const api = join(ctx.root, "packages", "api")
    const ours = figures(await facadeBundle(api))
    const floor = figures(await bundleForBrowser({ contents: FLOOR, resolveDir: api, minify: true }))
    ctx.log(`bundle-size: facade ${ours.minifiedKiB} KiB minified, ${ours.gzipKiB} KiB gzip`)
    const result: Result = {
      name: "bundle-size facade min+gzip",
      benchmark: "bundle-size",
      what: 'The Promise facade (`export { API } from "@comet-ts/api"`) bundled for a browser by esbuild (platform browser, ESM, ES2022, minified), then gzip -9; fast-check must contribute nothing',
      ours,
      baseline: { name: "Effect floor: one HttpClient GET + Schema via ManagedRuntime", ...floor },
      ratio: round(ours.gzipBytes / floor.gzipBytes, 2),
      ratioDefinition: "ours.gzipKiB / baseline.gzipKiB",
      target: `≤ ${BUDGET_KIB} KiB gzip, no fast-check`,
      met: ours.gzipKiB <= BUDGET_KIB && ours.fastCheckBytes === 0,
      node: process.version,
      notes:
        'esbuild keeps every member of a namespace imported through a barrel (`import { Schema } from "effect"`); the packages import effect\'s modules directly, which took the facade from 713 KB minified / 223 KB gzip (with 45 KB of fast-check) to this size'
    }
    return [result]
  }
}
