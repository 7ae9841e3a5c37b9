/**
 * The `comet-ts` program as a user runs it: real subprocesses (the monorepo bin) against the
 * emulator on a loopback port — exit codes, a pipe closed early, Ctrl-C during a download — and
 * the README's command-line examples, run as written from a project that installed the bin.
 */
import { spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Emulator from "@comet-ts/emulator"
import { HttpServer } from "@effect/platform"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, ManagedRuntime } from "effect"
import { dataset } from "./support/run.js"

const root = join(import.meta.dirname, "..", "..", "..")
const bin = join(root, "packages", "cli", "scripts", "comet-ts.mjs")

interface Server {
  readonly url: string
  readonly close: () => Promise<void>
}

const serve = async (options: Emulator.EmulatorOptions = {}): Promise<Server> => {
  const runtime = ManagedRuntime.make(Emulator.layerServer({ dataset, host: "127.0.0.1", port: 0, ...options }))
  const address = await runtime.runPromise(Effect.map(HttpServer.HttpServer, (s) => s.address))
  if (address._tag !== "TcpAddress") throw new Error("the emulator is not on TCP")
  return { url: `http://127.0.0.1:${address.port}`, close: () => runtime.dispose() }
}

interface Result {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** A clean home and working directory, so no config file of this machine is read. */
const sandbox = () => mkdtempSync(join(tmpdir(), "comet-ts-bin-"))

const exec = (
  command: string,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>,
  options: { readonly cwd?: string; readonly onStart?: (kill: (s: NodeJS.Signals) => void) => void } = {}
): Promise<Result> =>
  new Promise((resolve, reject) => {
    const home = sandbox()
    const child = spawn(command, args, {
      cwd: options.cwd ?? home,
      env: { PATH: process.env.PATH ?? "", HOME: home, npm_config_offline: "true", ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString()
    })
    child.on("error", reject)
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
    options.onStart?.((s) => child.kill(s))
  })

let server: Server
let env: Record<string, string>
const cometTs = (...args: ReadonlyArray<string>) => exec(process.execPath, [bin, ...args], env)

beforeAll(async () => {
  server = await serve()
  env = { COMET_API_KEY: Emulator.DEFAULT_API_KEY, COMET_URL_OVERRIDE: server.url }
}, 60_000)
afterAll(() => server.close())

describe("comet-ts as a program", () => {
  it("--help lists the commands; exit 0", async () => {
    const r = await cometTs("--help")
    assert.strictEqual(r.code, 0, r.stderr)
    for (const c of ["workspaces", "projects", "experiments", "columns", "metrics", "gate", "download"]) {
      assert.include(r.stdout, c)
    }
  })

  it("a gate that holds exits 0, one that does not exits 1", async () => {
    const gate = (min: string) =>
      cometTs(
        "gate",
        "local-dev/mnist-sweep",
        "--query",
        'Parameter("optimizer") == "adam"',
        "--metric",
        "val_accuracy",
        "--min",
        min
      )
    const pass = await gate("0.5")
    assert.strictEqual(pass.code, 0, pass.stderr)
    assert.match(pass.stdout, /\nPASS: /)
    const fail = await gate("0.99")
    assert.strictEqual(fail.code, 1, fail.stderr)
    assert.match(fail.stdout, /\nFAIL: /)
    assert.strictEqual(fail.stderr, "")
  })

  it("a wrong key exits 3 without printing it; an unknown project exits 4", async () => {
    const key = "wrong-key-0123456789"
    const r = await exec(process.execPath, [bin, "workspaces", "--api-key", key], env)
    assert.strictEqual(r.code, 3)
    assert.notInclude(r.stdout + r.stderr, key)
    const missing = await cometTs("experiments", "local-dev/nope")
    assert.strictEqual(missing.code, 4)
    assert.match(missing.stderr, /^comet-ts: Comet has no project/)
  })

  it("`metrics … | head -2` ends quietly: exit 0 under pipefail", async () => {
    const r = await exec(
      "bash",
      [
        "-o",
        "pipefail",
        "-c",
        `"${process.execPath}" "${bin}" metrics local-dev/mnist-sweep --metric loss --metric val_loss --full | head -2`
      ],
      env
    )
    assert.strictEqual(r.code, 0, r.stderr)
    assert.strictEqual(r.stdout.split("\n").filter((l) => l.length > 0).length, 2)
    assert.strictEqual(r.stderr, "")
  })

  it("Ctrl-C during a download exits 130 and leaves no file, partial or not", async () => {
    const slow = await serve({ faults: "slow:1@experiment/asset/get-asset,slow-ms=1000" })
    try {
      const dir = join(sandbox(), "assets")
      const experiment = dataset.workspaces[0]!.projects[0]!.experiments.find((e) => e.assets.length > 0)!
      const r = await exec(
        process.execPath,
        [
          bin,
          "download",
          `local-dev/${dataset.workspaces[0]!.projects[0]!.projectName}/${experiment.experimentKey}`,
          "--dir",
          dir
        ],
        { ...env, COMET_URL_OVERRIDE: slow.url },
        {
          onStart: (kill) => {
            // Interrupt once a file is being written.
            const poll = setInterval(() => {
              let names: Array<string> = []
              try {
                names = readdirSync(dir, { recursive: true, encoding: "utf8" })
              } catch {
                return
              }
              if (names.some((n) => n.endsWith(".comet-part"))) {
                clearInterval(poll)
                kill("SIGINT")
              }
            }, 50)
          }
        }
      )
      assert.strictEqual(r.code, 130, r.stderr)
      assert.include(r.stderr, "interrupted")
      const left = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((n) => /\.[a-z]+$/i.test(n))
      assert.deepStrictEqual(left, [])
    } finally {
      await slow.close()
    }
  })
})

describe("the README's command-line examples run as written", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8")
  const section = readme.slice(readme.indexOf("## Command line: `comet-ts`"), readme.indexOf("## Configuration"))
  const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], code: m[2] ?? "" }))
  const shell = blocks.filter((b) => b.lang === "sh")

  /** A user's project that installed @comet-ts/cli: its bin in node_modules/.bin. */
  const project = () => {
    const dir = sandbox()
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "ci", private: true }))
    mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true })
    symlinkSync(bin, join(dir, "node_modules", ".bin", "comet-ts"))
    return dir
  }

  it("the setup points at `pnpm emulator`'s defaults", () => {
    const setup = shell.find((b) => b.code.includes("pnpm emulator"))
    assert.isDefined(setup)
    assert.include(setup?.code, "export COMET_API_KEY=local-dev-key COMET_URL_OVERRIDE=http://127.0.0.1:4820")
  })

  it("every example runs, and prints what the README shows", async () => {
    const examples = shell.filter((b) => b.code.includes("npx comet-ts"))
    assert.strictEqual(examples.length, 2)
    for (const example of examples) {
      // The output block right after the example.
      const at = blocks.indexOf(example)
      const shown = blocks[at + 1]
      assert.strictEqual(shown?.lang, "text")
      const r = await exec("bash", ["-e", "-o", "pipefail", "-c", example.code], env, { cwd: project() })
      assert.strictEqual(r.code, 0, r.stderr)
      assert.strictEqual(r.stdout, shown?.code)
    }
  })
})
