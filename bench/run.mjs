// Launcher of `pnpm bench [--quick] [--only NAME,…] [--server child|inprocess] [--out FILE]`.
// Node 20 cannot run TypeScript, and a TypeScript loader costs seconds at start-up (every module
// of effect goes through its hooks) and would distort the timings. So the bench entry points are
// bundled once with esbuild into bench/.cache/ (git-ignored), rebuilt only when a source file of
// the bench or of a package is newer than the bundle, then run with plain node.
import { spawn } from "node:child_process"
import { existsSync, readdirSync, statSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, "..")
const cache = join(here, ".cache")
const entries = ["main", "server-main", "asset-child", "profile-client"]

const newest = (dir) => {
  let t = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    if (entry.isDirectory()) t = Math.max(t, newest(p))
    else if (entry.name.endsWith(".ts")) t = Math.max(t, statSync(p).mtimeMs)
  }
  return t
}

const sources = [
  join(here, "src"),
  ...["api", "core", "http", "query", "emulator"].map((p) => join(root, "packages", p, "src"))
]
const lock = join(root, "pnpm-lock.yaml")
const inputs = Math.max(
  ...sources.map(newest),
  existsSync(lock) ? statSync(lock).mtimeMs : 0,
  statSync(fileURLToPath(import.meta.url)).mtimeMs
)
const outputs = entries.map((e) => join(cache, `${e}.mjs`))

if (outputs.some((o) => !existsSync(o) || statSync(o).mtimeMs < inputs)) {
  const started = Date.now()
  const { build } = await import("esbuild")
  await build({
    entryPoints: Object.fromEntries(entries.map((e) => [e, join(here, "src", `${e}.ts`)])),
    outdir: cache,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "error",
    legalComments: "none",
    sourcemap: "linked",
    banner: {
      js: "import { createRequire as __cometCreateRequire } from 'node:module'; const require = __cometCreateRequire(import.meta.url);"
    }
  })
  process.stderr.write(`bench: bundled in ${Date.now() - started} ms\n`)
}

// --expose-gc: the decode and asset benchmarks collect garbage between runs so that one run's
// garbage is not charged to the next.
const child = spawn(process.execPath, ["--expose-gc", join(cache, "main.mjs"), ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit"
})
const forward = (signal) => () => child.kill(signal)
process.on("SIGINT", forward("SIGINT"))
process.on("SIGTERM", forward("SIGTERM"))
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
