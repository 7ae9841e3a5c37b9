// Launcher of `pnpm emulator`. Node 20 cannot run TypeScript, and running the sources through a
// TypeScript loader costs seconds (every module of effect goes through the loader's hooks). So
// the CLI is bundled once with esbuild into packages/emulator/.cache/ (git-ignored) and rebuilt
// only when a source file of the emulator, core or query package is newer than the bundle.
import { existsSync, readdirSync, statSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const pkg = join(here, "..")
const root = join(pkg, "..", "..")
const out = join(pkg, ".cache", "emulator-cli.mjs")

const newest = (dir) => {
  let t = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    if (entry.isDirectory()) t = Math.max(t, newest(p))
    else if (entry.name.endsWith(".ts")) t = Math.max(t, statSync(p).mtimeMs)
  }
  return t
}

const sources = ["emulator", "core", "query"].map((p) => join(root, "packages", p, "src"))
const lock = join(root, "pnpm-lock.yaml")
const inputs = Math.max(
  ...sources.map(newest),
  existsSync(lock) ? statSync(lock).mtimeMs : 0,
  statSync(fileURLToPath(import.meta.url)).mtimeMs
)

if (!existsSync(out) || statSync(out).mtimeMs < inputs) {
  const { build } = await import("esbuild")
  await build({
    entryPoints: [join(pkg, "src", "bin.ts")],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "error",
    legalComments: "none",
    banner: {
      js: "import { createRequire as __cometCreateRequire } from 'node:module'; const require = __cometCreateRequire(import.meta.url);"
    }
  })
}

await import(pathToFileURL(out).href)
