/**
 * Bundling for a browser with esbuild, as a user's build would: `platform: "browser"` (the
 * `browser`, `import` and `default` export conditions), ESM, ES2022. Used by the headless
 * Chromium tests (their pages), by the test that keeps test-only code out of the facade's bundle,
 * and by `pnpm bench --only bundle-size`.
 */
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { brotliCompressSync, constants, gzipSync } from "node:zlib"
import { build, type Metafile } from "esbuild"

/** The directory of `@comet-ts/api` (where the facade entry resolves its imports). */
const apiDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..")

/** What the facade's bundle is made of: `import { API } from "@comet-ts/api"` and nothing else. */
export const FACADE_ENTRY = `export { API } from "@comet-ts/api"\n`

/** A bundle and esbuild's account of what went into it. */
export interface BrowserBundle {
  readonly code: Uint8Array
  readonly metafile: Metafile
}

/** Bundle a file, or source text resolved from `resolveDir`, for a browser. */
export const bundleForBrowser = async (
  options: ({ readonly entry: string } | { readonly contents: string; readonly resolveDir: string }) & {
    readonly minify?: boolean
    readonly define?: Record<string, string>
  }
): Promise<BrowserBundle> => {
  const result = await build({
    ...("entry" in options
      ? { entryPoints: [options.entry] }
      : {
          stdin: {
            contents: options.contents,
            resolveDir: options.resolveDir,
            sourcefile: "entry.ts",
            loader: "ts" as const
          }
        }),
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: options.minify ?? false,
    define: options.define ?? {},
    legalComments: "none",
    write: false,
    metafile: true,
    logLevel: "error"
  })
  const code = result.outputFiles[0]?.contents
  if (code === undefined) throw new Error("esbuild produced no output")
  return { code, metafile: result.metafile }
}

/**
 * The facade's minified browser bundle. `api` is the directory of `@comet-ts/api` (give it when
 * this module is itself bundled, as in `pnpm bench`, where `import.meta.url` is the bundle's).
 */
export const facadeBundle = (api: string = apiDir): Promise<BrowserBundle> =>
  bundleForBrowser({ contents: FACADE_ENTRY, resolveDir: api, minify: true })

/** The package an input path belongs to (`effect`, `fast-check`, `packages/core`, …). */
export const packageOf = (input: string): string => {
  const nm = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(input)
  if (nm?.[1] !== undefined) return nm[1]
  const ws = /(packages\/[^/]+)\//.exec(input)
  return ws?.[1] ?? input
}

/** Bytes of the output contributed by each package, largest first. */
export const bytesByPackage = (bundle: BrowserBundle): Array<readonly [string, number]> => {
  const totals = new Map<string, number>()
  for (const output of Object.values(bundle.metafile.outputs))
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs))
      if (bytesInOutput > 0) totals.set(packageOf(input), (totals.get(packageOf(input)) ?? 0) + bytesInOutput)
  return [...totals.entries()].sort((a, b) => b[1] - a[1])
}

/** Sizes of a bundle: as emitted, gzip (level 9) and brotli (quality 11), in bytes. */
export const sizes = (code: Uint8Array) => ({
  bytes: code.length,
  gzipBytes: gzipSync(code, { level: 9 }).length,
  brotliBytes: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length
})
