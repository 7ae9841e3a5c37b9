/**
 * Failures, in-process: each becomes one readable line on stderr (with the fix, in the command
 * line's terms) and its documented exit code; no stack trace; the key never printed.
 */
import { createServer } from "node:net"
import { CometConfig, ConfigurationError, QueryError, RateLimited, ServerError, TransportError } from "@comet-ts/core"
import { compile, Metric } from "@comet-ts/query"
import { FetchHttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { ExitCode, outcomeOf, VERSION } from "../src/index.js"
import { baseEnv, clientOf, dataset, emulator, runCli, sink } from "./support/run.js"

const PROJECT = "local-dev/mnist-sweep"
const SECRET = "Sup3r-Secret-Key/with+chars"

/** Exactly one line on stderr, starting with `comet-ts:`, no stack frame. */
const oneLine = (stderr: string) => {
  const ls = stderr.split("\n").filter((l) => l.length > 0)
  assert.strictEqual(ls.length, 1, stderr)
  assert.match(ls[0] ?? "", /^comet-ts: /)
  assert.notMatch(stderr, /\n\s+at /)
  return ls[0] ?? ""
}

/** The secret in none of its forms. */
const noSecret = (text: string) => {
  for (const form of [SECRET, encodeURIComponent(SECRET), SECRET.toLowerCase(), JSON.stringify(SECRET).slice(1, -1)]) {
    assert.notInclude(text.toLowerCase(), form.toLowerCase())
  }
}

/** A loopback port nobody listens on. */
const closedPort = Effect.promise(
  () =>
    new Promise<number>((resolve) => {
      const server = createServer()
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        const port = typeof address === "object" && address !== null ? address.port : 0
        server.close(() => resolve(port))
      })
    })
)

describe("user errors: one line, the fix, the exit code", () => {
  it.live("a bad query is a usage error (2), with line and column", () =>
    Effect.gen(function* () {
      const out = yield* runCli(["experiments", PROJECT, "--query", 'Metric("loss" < 3'])
      assert.strictEqual(out.code, ExitCode.usage)
      assert.match(oneLine(out.stderr), /Query syntax error at line 1, column \d+/)
      assert.strictEqual(out.stdout, "")
      const unknown = yield* runCli(["gate", PROJECT, "--query", 'Metric("no_such_metric") > 3'])
      assert.strictEqual(unknown.code, ExitCode.usage)
      const line = oneLine(unknown.stderr)
      assert.include(line, "no_such_metric")
      assert.include(line, "comet-ts columns WS/PROJ")
    })
  )

  it.live("a wrong key is 3; the key is in no output, in any encoding", () =>
    Effect.gen(function* () {
      for (const args of [["--api-key", SECRET], [`--api-key=${SECRET}`]]) {
        const out = yield* runCli(["workspaces", ...args])
        assert.strictEqual(out.code, ExitCode.auth)
        const line = oneLine(out.stderr)
        assert.include(line, "HTTP 401")
        assert.include(line, "--api-key")
        noSecret(out.stderr + out.stdout)
      }
      const fromEnv = yield* runCli(["gate", PROJECT, "--query", 'Tag("best")'], {
        env: { ...baseEnv, COMET_API_KEY: SECRET }
      })
      assert.strictEqual(fromEnv.code, ExitCode.auth)
      noSecret(fromEnv.stderr + fromEnv.stdout)
    })
  )

  it.live("a usage error that echoes the command line does not echo the key", () =>
    Effect.gen(function* () {
      for (const argv of [
        ["workspaces", "--api-key", SECRET, "--bogus"],
        ["workspaces", "--api-key", SECRET, SECRET],
        ["projects", `--api-key=${SECRET}`, "--format", SECRET, "ws"],
        ["nope", "--api-key", SECRET]
      ]) {
        const out = yield* runCli(argv)
        assert.strictEqual(out.code, ExitCode.usage, argv.join(" "))
        noSecret(out.stderr + out.stdout)
        assert.include(out.stderr, "--help")
      }
    })
  )

  it.live("an unknown project is 4; an unknown workspace too", () =>
    Effect.gen(function* () {
      const project = yield* runCli(["experiments", "local-dev/no-such-project"])
      assert.strictEqual(project.code, ExitCode.notFound)
      assert.include(oneLine(project.stderr), "no-such-project")
      const ws = yield* runCli(["projects", "no-such-workspace"])
      assert.strictEqual(ws.code, ExitCode.notFound)
      oneLine(ws.stderr)
      const exp = yield* runCli(["download", `${PROJECT}/no-such-run`, "--dir", "/nonexistent"])
      assert.strictEqual(exp.code, ExitCode.notFound)
      oneLine(exp.stderr)
    })
  )

  it.live("an experiment name two runs share is 2, naming both keys", () =>
    Effect.gen(function* () {
      const project = dataset.workspaces[0]!.projects.find((p) => p.projectName === "mnist-sweep")!
      const [a, b] = project.experiments.filter((e) => !e.archived && e.experimentName !== null)
      const twins: typeof dataset = {
        ...dataset,
        workspaces: dataset.workspaces.map((w) => ({
          ...w,
          projects: w.projects.map((p) => ({
            ...p,
            experiments: p.experiments.map((e) =>
              e.experimentKey === b!.experimentKey ? { ...e, experimentName: a!.experimentName } : e
            )
          }))
        }))
      }
      const out = yield* runCli(["download", `${PROJECT}/${a!.experimentName}`, "--dir", "/nonexistent"], {
        client: clientOf(yield* emulator({ dataset: twins }))
      })
      assert.strictEqual(out.code, ExitCode.usage)
      const line = oneLine(out.stderr)
      assert.include(line, a!.experimentKey)
      assert.include(line, b!.experimentKey)
    })
  )

  it.live("a workspace the key cannot see is 3 (HTTP 403)", () =>
    Effect.gen(function* () {
      const out = yield* runCli(["projects", "other-user"])
      assert.strictEqual(out.code, ExitCode.auth)
      assert.include(oneLine(out.stderr), "403")
    })
  )

  it.live("a refused connection is 5, naming --url", () =>
    Effect.gen(function* () {
      const port = yield* closedPort
      const out = yield* runCli(["workspaces", "--url", `http://127.0.0.1:${port}`], {
        env: { ...baseEnv, COMET_HTTP_SESSION_RETRY_TOTAL: "1" },
        client: FetchHttpClient.layer
      })
      assert.strictEqual(out.code, ExitCode.unavailable)
      const line = oneLine(out.stderr)
      assert.include(line, "ECONNREFUSED")
      assert.include(line, "after 2 attempt(s)")
      assert.include(line, "--url")
    })
  )

  it.live("a server failing with 503 is 5 after the retries", () =>
    Effect.gen(function* () {
      const emu = yield* emulator({ faults: "503:1" })
      const out = yield* runCli(["workspaces"], {
        client: clientOf(emu),
        env: { ...baseEnv, COMET_HTTP_SESSION_RETRY_TOTAL: "0" }
      })
      assert.strictEqual(out.code, ExitCode.unavailable)
      assert.include(oneLine(out.stderr), "HTTP 503")
    })
  )

  it.live("no key at all is a configuration error (2) that says how to give one", () =>
    Effect.gen(function* () {
      const out = yield* runCli(["workspaces"], { env: { COMET_URL_OVERRIDE: "http://127.0.0.1:4820" } })
      assert.strictEqual(out.code, ExitCode.usage)
      const line = oneLine(out.stderr)
      assert.include(line, "Pass --api-key KEY, set COMET_API_KEY")
    })
  )

  it.live("a URL without a scheme, or plain http to a remote host, is 2", () =>
    Effect.gen(function* () {
      const bad = yield* runCli(["workspaces", "--url", "comet.example.com"])
      assert.strictEqual(bad.code, ExitCode.usage)
      assert.include(oneLine(bad.stderr), "--url")
      const insecure = yield* runCli(["workspaces", "--url", "http://comet.example.com"])
      assert.strictEqual(insecure.code, ExitCode.usage)
      assert.include(oneLine(insecure.stderr), "COMET_TS_ALLOW_INSECURE_HTTP=1")
    })
  )

  it.live("a malformed WS/PROJ is 2", () =>
    Effect.gen(function* () {
      for (const target of ["local-dev", "a/b/c", "/proj", "ws/ "]) {
        const out = yield* runCli(["columns", target])
        assert.strictEqual(out.code, ExitCode.usage, target)
        assert.include(oneLine(out.stderr), "WS/PROJ")
      }
    })
  )

  it.live("a server answer that does not decode is 6", () =>
    Effect.gen(function* () {
      const out = yield* runCli(["workspaces"], {
        client: clientOf({
          fetch: async () =>
            new Response(JSON.stringify({ workspaceNames: "not a list" }), {
              status: 200,
              headers: { "content-type": "application/json" }
            })
        })
      })
      assert.strictEqual(out.code, ExitCode.protocol)
      assert.include(oneLine(out.stderr), "did not decode")
    })
  )
})

describe("the command line itself", () => {
  it.live("--help prints usage on stdout and exits 0; plain text when stdout is not a terminal", () =>
    Effect.gen(function* () {
      const out = yield* runCli(["--help"])
      assert.strictEqual(out.code, 0)
      for (const c of ["workspaces", "projects", "experiments", "columns", "metrics", "gate", "download"]) {
        assert.include(out.stdout, c)
      }
      assert.include(out.stdout, "Exit codes")
      assert.notMatch(out.stdout, new RegExp(String.fromCharCode(27)))
      const gate = yield* runCli(["gate", "--help"])
      assert.strictEqual(gate.code, 0)
      assert.include(gate.stdout, "--require N")
      assert.include(gate.stdout, "--api-key KEY")
    })
  )

  it.live("--version", () =>
    Effect.gen(function* () {
      const out = yield* runCli(["--version"])
      assert.strictEqual(out.code, 0)
      assert.strictEqual(out.stdout.trim(), VERSION)
    })
  )

  it.live("unknown commands, options and values are usage errors (2)", () =>
    Effect.gen(function* () {
      for (const argv of [
        ["bogus"],
        ["workspaces", "--bogus"],
        ["workspaces", "--format", "xml"],
        ["gate", PROJECT],
        ["gate", PROJECT, "--query", "x", "--min", "abc", "--metric", "m"],
        ["projects"]
      ]) {
        const out = yield* runCli(argv)
        assert.strictEqual(out.code, ExitCode.usage, argv.join(" "))
        assert.strictEqual(out.stdout, "")
        assert.match(out.stderr, /run `comet-ts (\w+ )?--help`/)
        assert.notMatch(out.stderr, /\n\s+at /)
      }
      // The hint names the command that was run.
      assert.include((yield* runCli(["gate", PROJECT])).stderr, "run `comet-ts gate --help`")
    })
  )

  it.live("a reader that goes away (`| head`) ends the command quietly with 0", () =>
    Effect.gen(function* () {
      const stdout = sink({ failAfter: 200 })
      const out = yield* runCli(["metrics", PROJECT, "--metric", "loss", "--metric", "val_loss"], { stdout })
      assert.strictEqual(out.code, 0)
      assert.strictEqual(out.stderr, "")
      assert.isAtLeast(out.stdout.length, 200)
      assert.isBelow(out.stdout.length, 100_000)
    })
  )

  it.live("no progress bar when stderr is not a terminal", () =>
    Effect.gen(function* () {
      const out = yield* runCli(["metrics", PROJECT, "--metric", "loss"], { stderr: sink({ isTTY: false }) })
      assert.strictEqual(out.code, 0)
      assert.strictEqual(out.stderr, "")
    })
  )
})

describe("messages speak the command line's knobs, not the library's", () => {
  it("every advice a library error gives is rewritten into flags and COMET_* variables", () => {
    const unknownColumn = compile(Metric("zzz").gt(1), [])
    const mismatch = compile(Metric("acc", "string").eq("x"), [
      { name: "acc", id: "acc", source: "metrics", type: "double" }
    ])
    const errors: ReadonlyArray<unknown> = [
      new RateLimited({ endpoint: "workspaces", attempts: 9, retryAfterMillis: 1000, serverMessage: null }),
      new ServerError({ endpoint: "workspaces", status: 503, attempts: 9, serverMessage: null, sdkErrorCode: null }),
      new TransportError({
        endpoint: "workspaces",
        reason: "timeout",
        detail: "no answer within 10s (raise timeoutMs, or COMET_TIMEOUT_API in seconds)",
        attempts: 1
      }),
      new TransportError({ endpoint: "workspaces", reason: "network", detail: "d", attempts: 1 }),
      // what ended the retries, and the setting a timeout names
      ...(["maxRetries", "retryBudget"] as const).flatMap((stoppedBy) => [
        new RateLimited({
          endpoint: "workspaces",
          attempts: 9,
          retryAfterMillis: 1000,
          serverMessage: null,
          stoppedBy
        }),
        new ServerError({
          endpoint: "workspaces",
          status: 503,
          attempts: 9,
          serverMessage: null,
          sdkErrorCode: null,
          stoppedBy
        })
      ]),
      ...["timeoutMs", "downloadTimeoutMs"].map(
        (setting) =>
          new TransportError({ endpoint: "workspaces", reason: "timeout", detail: "d", attempts: 1, setting })
      ),
      Effect.runSync(Effect.flip(CometConfig.resolve({ sources: CometConfig.staticSources({}) }))),
      new ConfigurationError({ setting: "baseUrl", reason: "x" }),
      unknownColumn._tag === "Left"
        ? unknownColumn.left
        : new QueryError({ reason: "syntax", detail: "", line: null, column: null, hint: null }),
      mismatch._tag === "Left"
        ? mismatch.left
        : new QueryError({ reason: "syntax", detail: "", line: null, column: null, hint: null })
    ]
    const lines = errors.map((e) => outcomeOf(e).line ?? "")
    for (const line of lines) {
      assert.notMatch(
        line,
        /\b(maxRetries|maxConcurrency|rateLimit|timeoutMs|downloadTimeoutMs|retryBudget|apiKey|baseUrl|getQueryVariables|queryVariables)\b/,
        line
      )
    }
    assert.include(lines[0], "COMET_TS_MAX_CONCURRENCY")
    assert.include(lines[1], "COMET_HTTP_SESSION_RETRY_TOTAL")
    assert.include(lines[2], "COMET_TIMEOUT_API")
    assert.include(lines[4], "COMET_HTTP_SESSION_RETRY_TOTAL")
    assert.include(lines[9], "COMET_TIMEOUT_FILE_DOWNLOAD")
    assert.include(lines[10], "--api-key")
    assert.include(lines[12], "comet-ts columns WS/PROJ")
    assert.include(lines[13], "comet-ts columns WS/PROJ")
  })
})
