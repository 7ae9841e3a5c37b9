/**
 * Every code block of the READMEs (README.md and every packages/<name>/README.md) works as
 * written; how each block is marked and checked is in scripts/readme-blocks.mjs. Here:
 * TypeScript programs are type-checked (strict, NodeNext) and run against the emulator started
 * as its CLI starts it (default data and key), with COMET_API_KEY and COMET_URL_OVERRIDE set as
 * the README says; JavaScript blocks are checked by Node 20's own parser (they run against the
 * packed packages in `pnpm test:consumer`); shell commands must name real scripts, bins,
 * packages and files; `file=` blocks must equal their file.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import ts from "typescript"
import { bundled } from "../../../scripts/bundle.mjs"
import {
  type Block,
  blockEnv,
  blockFileName,
  installProblems,
  readmeBlocks,
  readmeFiles,
  root,
  runProblems,
  shellProblems
} from "../../../scripts/readme-blocks.mjs"

const blocks = readmeBlocks()
const where = (b: Block) => `${b.file}:${b.line}`
const typescript = blocks.filter((b) => b.lang === "ts" && (b.kind === "run" || b.kind === "types"))
const runnable = typescript.filter((b) => b.kind === "run")
const javascript = blocks.filter((b) => b.lang === "js" && b.kind === "run")

/** Block files live in the api package, so they import the packages as a user's project does. */
const dir = join(root, "packages", "api", ".cache", "readme")
const home = join(dir, "home")
const pathOf = (b: Block) => join(dir, blockFileName(b))

interface Run {
  readonly status: number | null
  readonly signal: string | null
  readonly stdout: string
  readonly stderr: string
}

const collect = (child: ChildProcess, timeoutMs: number): Promise<Run> =>
  new Promise((resolve) => {
    let stdout = ""
    let stderr = ""
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString()
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.on("close", (status, signal) => {
      clearTimeout(timer)
      resolve({ status, signal, stdout, stderr })
    })
  })

/** The emulator as `comet-emulator --port 0` runs it; resolves with its URL once it listens. */
const startEmulator = (): Promise<{ readonly url: string; readonly child: ChildProcess }> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(root, "packages", "emulator", "scripts", "emulator.mjs"), "--port", "0"],
      {
        stdio: ["ignore", "pipe", "pipe"]
      }
    )
    let out = ""
    let err = ""
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`the emulator did not start within 90 s: ${out}${err}`))
    }, 90_000)
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString()
    })
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m?.[1] !== undefined) {
        clearTimeout(timer)
        resolve({ url: m[1], child })
      }
    })
    child.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`the emulator exited (${code}): ${out}${err}`))
    })
  })

let emulator: { readonly url: string; readonly child: ChildProcess } | undefined
let bundles: Readonly<Record<string, string>> = {}

beforeAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(home, { recursive: true })
  for (const b of [...typescript, ...javascript]) writeFileSync(pathOf(b), b.code)
  const [started, built] = await Promise.all([
    startEmulator(),
    runnable.length === 0
      ? Promise.resolve({ outputs: {} })
      : bundled({
          entries: Object.fromEntries(runnable.map((b) => [blockFileName(b).replace(/\.ts$/, ""), pathOf(b)])),
          outdir: join(dir, "bundles"),
          sources: [dir]
        })
  ])
  emulator = started
  bundles = built.outputs
}, 180_000)

afterAll(() => {
  emulator?.child.kill("SIGTERM")
})

describe("README code blocks", () => {
  it("every README is read, and every block is marked as something the checks know", () => {
    const files = readmeFiles()
    for (const p of readdirSync(join(root, "packages"))) {
      if (existsSync(join(root, "packages", p, "README.md"))) assert.include(files, `packages/${p}/README.md`)
    }
    assert.isAbove(runnable.length, 3, "the READMEs have runnable TypeScript examples")
    assert.deepStrictEqual(
      blocks.filter((b) => b.problem !== undefined).map((b) => `${where(b)}: ${b.problem}`),
      []
    )
  })

  it("the TypeScript blocks type-check as written (strict, exactOptionalPropertyTypes, NodeNext)", () => {
    const program = ts.createProgram(typescript.map(pathOf), {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      moduleDetection: ts.ModuleDetectionKind.Force,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
      types: ["node"],
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      skipLibCheck: true,
      noEmit: true
    })
    const diagnostics = ts.getPreEmitDiagnostics(program)
    const text = ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => dir,
      getNewLine: () => "\n"
    })
    // Name the README line of each failing block, not the generated file.
    const named = typescript.reduce((t, b) => t.split(blockFileName(b)).join(where(b)), text)
    assert.strictEqual(named, "")
  }, 180_000)

  for (const b of runnable) {
    it(`${where(b)} runs against the emulator`, async () => {
      const bundle = bundles[blockFileName(b).replace(/\.ts$/, "")]
      assert.isDefined(bundle)
      assert.isDefined(emulator)
      const run = await collect(
        spawn(process.execPath, [bundle as string], {
          cwd: home,
          env: blockEnv(emulator?.url ?? "", home),
          stdio: ["ignore", "pipe", "pipe"]
        }),
        60_000
      )
      assert.deepStrictEqual(runProblems(run), [], `${where(b)} printed:\n${run.stdout}`)
    }, 90_000)
  }

  for (const b of javascript) {
    it(`${where(b)} is valid JavaScript for Node ${process.versions.node} (it runs in pnpm test:consumer)`, async () => {
      const run = await collect(
        spawn(process.execPath, ["--check", pathOf(b)], { stdio: ["ignore", "pipe", "pipe"] }),
        30_000
      )
      assert.strictEqual(run.stderr, "")
      assert.strictEqual(run.status, 0)
    })
  }

  const manifests = readdirSync(join(root, "packages"))
    .filter((p) => existsSync(join(root, "packages", p, "package.json")))
    .map(
      (p) =>
        JSON.parse(readFileSync(join(root, "packages", p, "package.json"), "utf8")) as {
          readonly name: string
          readonly private?: boolean
          readonly peerDependencies?: Record<string, string>
          readonly bin?: Record<string, string>
          readonly publishConfig?: { readonly bin?: Record<string, string> }
        }
    )
    .filter((m) => m.private !== true)
  const rootManifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    readonly scripts: Record<string, string>
  }
  const context = {
    scripts: new Set(Object.keys(rootManifest.scripts)),
    bins: new Set(manifests.flatMap((m) => Object.keys({ ...m.bin, ...m.publishConfig?.bin }))),
    packages: new Set(manifests.flatMap((m) => [m.name, ...Object.keys(m.peerDependencies ?? {})])),
    exists: (path: string) => existsSync(join(root, path))
  }

  for (const b of blocks.filter((b) => b.kind === "sh")) {
    it(`${where(b)}: its commands name real scripts, bins, packages and files`, () => {
      assert.deepStrictEqual(shellProblems(b.code, context), [])
    })
  }

  for (const file of readmeFiles()) {
    it(`${file} installs every package of ours its examples import (pnpm and npm's linked layout hide a dependency's dependencies)`, () => {
      assert.deepStrictEqual(installProblems(blocks.filter((b) => b.file === file)), [])
    })
  }

  for (const b of blocks.filter((b) => b.kind === "file")) {
    it(`${where(b)} is ${String(b.attrs.file)}`, () => {
      assert.strictEqual(b.code.trimEnd(), readFileSync(join(root, String(b.attrs.file)), "utf8").trimEnd())
    })
  }
})
