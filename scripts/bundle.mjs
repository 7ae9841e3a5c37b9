// Shared by the launchers of `pnpm emulator`, `pnpm demo`, `pnpm soak` and `pnpm bench`. Node 20
// cannot run TypeScript, and a TypeScript loader costs seconds at start-up (every module of
// effect goes through its hooks). So each entry point is bundled once with esbuild into a
// git-ignored cache directory and rebuilt only when one of its sources (or the lockfile, or the
// launcher) is newer than the bundle.
import { existsSync, readdirSync, statSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), "..")

const newest = (path) => {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let t = 0
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === ".cache") continue
    const p = join(path, entry.name)
    if (entry.isDirectory()) t = Math.max(t, newest(p))
    else if (entry.name.endsWith(".ts")) t = Math.max(t, statSync(p).mtimeMs)
  }
  return t
}

/**
 * Bundle `entries` ({ name: path to a .ts file }) into `outdir` as `name.mjs` when any of
 * `sources` (directories or files; every package's src/ is always included) changed, and return
 * the paths of the bundles. Returns how long bundling took (0 when the cache was fresh).
 */
export const bundled = async ({ entries, outdir, sources = [], launcher, external = [], sourcemap = false }) => {
  const packages = ["api", "cli", "core", "http", "query", "emulator"].map((p) => join(root, "packages", p, "src"))
  const inputs = Math.max(
    ...[...packages, ...sources].map(newest),
    newest(join(root, "pnpm-lock.yaml")),
    newest(fileURLToPath(import.meta.url)),
    launcher === undefined ? 0 : newest(launcher)
  )
  const outputs = Object.fromEntries(Object.keys(entries).map((name) => [name, join(outdir, `${name}.mjs`)]))
  if (Object.values(outputs).every((o) => existsSync(o) && statSync(o).mtimeMs >= inputs)) {
    return { outputs, millis: 0 }
  }
  const started = performance.now()
  const { build } = await import("esbuild")
  await build({
    entryPoints: entries,
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: Object.keys(entries).length > 1,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "error",
    legalComments: "none",
    sourcemap: sourcemap ? "linked" : false,
    external,
    banner: {
      js: "import { createRequire as __cometCreateRequire } from 'node:module'; const require = __cometCreateRequire(import.meta.url);"
    }
  })
  return { outputs, millis: Math.round(performance.now() - started) }
}

/**
 * Run a package's TypeScript entry point from its bundle: `entry` (a .ts file) is bundled into
 * `<dir>/.cache/<name>.mjs` when a source changed, then imported. `launcher` is the calling
 * script's `import.meta.url`; `dir` is the directory whose `.cache` holds the bundle.
 */
export const launch = async ({ name, entry, dir, launcher, sources = [], external = [] }) => {
  const { outputs } = await bundled({
    entries: { [name]: entry },
    outdir: join(dir, ".cache"),
    sources,
    launcher: fileURLToPath(launcher),
    external
  })
  await import(pathToFileURL(outputs[name]).href)
}
