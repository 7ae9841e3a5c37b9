// Launcher of `pnpm bench [--quick] [--only NAME,…] [--server child|inprocess] [--out FILE]`.
// Node 20 cannot run TypeScript, and a TypeScript loader costs seconds at start-up (every module
// of effect goes through its hooks) and would distort the timings. So the bench entry points are
// bundled once with esbuild into bench/.cache/ (git-ignored), rebuilt only when a source file of
// the bench or of a package is newer than the bundle, then run with plain node.
import { spawn } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { bundled, root } from "../scripts/bundle.mjs"

const here = dirname(fileURLToPath(import.meta.url))
const cache = join(here, ".cache")
const entries = ["main", "server-main", "asset-child", "profile-client"]
const cli = join(root, "packages", "cli", "src")

const { millis } = await bundled({
  // The comet-ts program too, for the metrics-export benchmark (run as a CI job runs it).
  entries: {
    ...Object.fromEntries(entries.map((e) => [e, join(here, "src", `${e}.ts`)])),
    "comet-ts": join(cli, "bin.ts")
  },
  outdir: cache,
  // The bundle-size benchmark bundles with esbuild at run time (a native binary: not bundled),
  // using the api tests' browser bundling (packages/api/test/support).
  sources: [join(here, "src"), join(root, "packages", "api", "test", "support")],
  external: ["esbuild"],
  launcher: fileURLToPath(import.meta.url),
  sourcemap: true
})
if (millis > 0) process.stderr.write(`bench: bundled in ${millis} ms\n`)

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
