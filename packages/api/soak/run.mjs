// Launcher of `pnpm soak`. Node 20 cannot run TypeScript, and a TypeScript loader costs
// seconds (every module of effect goes through its hooks) and distorts the memory figures. So
// the soak is bundled once with esbuild into packages/api/.cache/ (git-ignored) and rebuilt only
// when a source file it uses is newer than the bundle. Run it with --expose-gc (the root script
// does) so the heap can be measured after a full collection.
import { existsSync, readdirSync, statSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const pkg = join(here, "..")
const root = join(pkg, "..", "..")
const out = join(pkg, ".cache", "soak.mjs")

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
  ...["api", "core", "http", "query", "emulator"].map((p) => join(root, "packages", p, "src")),
  join(pkg, "soak"),
  join(pkg, "test", "support")
]
const lock = join(root, "pnpm-lock.yaml")
const inputs = Math.max(
  ...sources.map(newest),
  existsSync(lock) ? statSync(lock).mtimeMs : 0,
  statSync(fileURLToPath(import.meta.url)).mtimeMs
)

if (!existsSync(out) || statSync(out).mtimeMs < inputs) {
  const { build } = await import("esbuild")
  await build({
    entryPoints: [join(here, "soak.ts")],
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
