import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { type AddressInfo, createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { listenError, parseArgs, program } from "../src/Cli.js"
import { loadDataset } from "../src/Dataset.js"
import { generate } from "../src/Generator.js"

describe("command line", () => {
  it("defaults: loopback, port 4820, the small dataset, seed 1", () => {
    const r = parseArgs([])
    assert.isTrue(Either.isRight(r))
    if (Either.isRight(r))
      assert.deepStrictEqual(r.right, {
        host: "127.0.0.1",
        port: 4820,
        apiKey: undefined,
        dataset: { generate: "small" },
        seed: 1,
        latency: undefined,
        faults: undefined,
        backendVersion: undefined,
        cors: [],
        export: undefined,
        help: false
      })
  })

  it("every flag", () => {
    const r = parseArgs([
      "--host",
      "0.0.0.0",
      "--port",
      "0",
      "--api-key",
      "k",
      "--generate",
      "medium",
      "--seed",
      "7",
      "--latency",
      "20~5",
      "--faults",
      "503:0.5",
      "--backend-version",
      "3.0.0"
    ])
    assert.isTrue(Either.isRight(r))
    if (Either.isRight(r)) {
      assert.strictEqual(r.right.port, 0)
      assert.deepStrictEqual(r.right.dataset, { generate: "medium" })
      assert.strictEqual(r.right.faults, "503:0.5")
    }
  })

  it("--cors: repeated or comma-separated, normalised as browsers send Origin", () => {
    const r = parseArgs(["--cors", "HTTP://LocalHost:5173/", "--cors", "https://a.test:443,http://b.test:8080"])
    assert.isTrue(Either.isRight(r))
    if (Either.isRight(r))
      assert.deepStrictEqual(r.right.cors, ["http://localhost:5173", "https://a.test", "http://b.test:8080"])
    const star = parseArgs(["--cors", "*"])
    assert.isTrue(Either.isLeft(star))
    if (Either.isLeft(star)) assert.include(star.left.message, "Authorization")
  })

  it("refuses bad arguments with a reason", () => {
    for (const argv of [
      ["--port", "99999"],
      ["--port", ""],
      ["--port", "0x10"],
      ["--port", " 5000 "],
      ["--port", "1e3"],
      ["--seed", ""],
      ["--seed", "0x1f"],
      ["--host", ""],
      ["--host", " "],
      ["--dataset", ""],
      ["--export", ""],
      ["--seed", "x"],
      ["--generate", "huge"],
      ["--dataset", "a.json", "--generate", "small"],
      ["--faults", "teapot:1"],
      ["--latency", "soon"],
      ["--unknown"],
      ["--backend-version", "4"],
      ["--cors", "*"],
      ["--cors", "localhost:5173"],
      ["--cors", "http://localhost:5173/app"],
      ["--cors", "ftp://files.example"],
      ["--cors", "http://a.test,"]
    ]) {
      const r = parseArgs(argv)
      assert.isTrue(Either.isLeft(r), argv.join(" "))
    }
  })

  it.effect("--export writes the dataset as JSON that loads back", () =>
    Effect.gen(function* () {
      const out = join(mkdtempSync(join(tmpdir(), "emulator-cli-")), "small.json")
      const options = parseArgs(["--generate", "small", "--seed", "4", "--export", out])
      if (Either.isLeft(options)) return assert.fail(options.left.message)
      yield* program(options.right)
      const back = yield* loadDataset(out)
      assert.deepStrictEqual(back, generate({ size: "small", seed: 4 }))
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.live("a port in use or an address not of this machine is a ConfigurationError naming the cause and the flag", () =>
    Effect.gen(function* () {
      const busy = createServer()
      yield* Effect.promise(() => new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve)))
      const port = (busy.address() as AddressInfo).port
      try {
        const run = (argv: ReadonlyArray<string>) => {
          const options = parseArgs(argv)
          if (Either.isLeft(options)) return Effect.die(options.left)
          return Effect.flip(program(options.right))
        }
        const inUse = yield* run(["--port", String(port)])
        assert.strictEqual(inUse._tag, "ConfigurationError")
        assert.strictEqual(
          inUse.message,
          `Configuration problem with --port: EADDRINUSE: port ${port} on 127.0.0.1 is in use (another emulator?); pick another with --port N, or --port 0 for a free one`
        )
        const foreign = yield* run(["--host", "10.255.255.1", "--port", "0"])
        assert.strictEqual(
          foreign.message,
          "Configuration problem with --host: EADDRNOTAVAIL: 10.255.255.1 is not an address of this machine, so nothing can listen on 10.255.255.1:0; use --host 127.0.0.1 (or 0.0.0.0 for every interface)"
        )
      } finally {
        busy.close()
      }
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it("listen failures of every kind name their code and a flag", () => {
    const cases = [
      [
        Object.assign(new Error("listen EACCES"), { code: "EACCES" }),
        /^Configuration problem with --port: EACCES: .*--port 0/
      ],
      [
        Object.assign(new Error("getaddrinfo ENOTFOUND nope"), { code: "ENOTFOUND" }),
        /--host: ENOTFOUND: the host name h /
      ],
      [
        Object.assign(new Error("odd"), { code: "EWHAT" }),
        /^Configuration problem with --host\/--port: cannot listen on h:1: EWHAT: odd$/
      ],
      [undefined, /cannot listen on h:1: undefined$/]
    ] as const
    for (const [cause, expected] of cases) assert.match(listenError("h", 1, cause).message, expected)
  })

  it.live(
    "pnpm emulator prints one listening line, answers, and exits 0 on SIGTERM",
    () =>
      Effect.gen(function* () {
        const root = join(import.meta.dirname, "..", "..", "..")
        const child = spawn(
          process.execPath,
          [join(root, "packages", "emulator", "scripts", "emulator.mjs"), "--port", "0"],
          {
            cwd: root,
            stdio: ["ignore", "pipe", "pipe"]
          }
        )
        let out = ""
        child.stdout.on("data", (d) => {
          out += d.toString()
        })
        const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
        const url = yield* Effect.promise(
          () =>
            new Promise<string>((resolve, reject) => {
              const timer = setInterval(() => {
                const m = /^comet emulator listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(out)
                if (m) {
                  clearInterval(timer)
                  resolve(m[1]!)
                }
              }, 20)
              child.on("exit", () => reject(new Error(`exited early: ${out}`)))
            })
        )
        const r = yield* Effect.promise(() =>
          fetch(`${url}/api/rest/v2/workspaces`, { headers: { authorization: "local-dev-key" } })
        )
        assert.strictEqual(r.status, 200)
        assert.deepStrictEqual(yield* Effect.promise(() => r.json()), { workspaceNames: ["local-dev", "team-vision"] })
        child.kill("SIGTERM")
        const code = yield* Effect.promise(() => exited)
        assert.strictEqual(code, 0)
        assert.strictEqual(out.split("\n").filter((l) => l.length > 0).length, 1, "exactly one line on stdout")
      }),
    60_000
  )
})
