/**
 * The Promise facade in a real browser: headless Chromium loads a page (bundled with esbuild for
 * the browser, served from its own loopback origin) that reads the emulator on another origin,
 * so CORS is really exercised; the test reads the result from the DOM. Then the failures a page
 * meets — CORS refused, connection refused — and the README's same-origin proxy example.
 */
import { execFile, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import * as Emulator from "@comet-ts/emulator"
import { materialize } from "@comet-ts/emulator/Series"
import * as HttpServer from "@effect/platform/HttpServer"
import { assert, layer } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { bundleForBrowser } from "./support/browserBundle.js"
import { closedPort, layerChromium, readPage, serveFiles } from "./support/chromium.js"

const root = join(import.meta.dirname, "..", "..", "..")
const KEY = "local-dev-key"
const dataset = Emulator.generate({ size: "small", seed: 1 })
const user = dataset.users[0]!
const experiment = dataset.workspaces[0]!.projects[0]!.experiments[0]!
// A metric the experiment logs once (one series, no context), to compare point for point.
const series = experiment.metrics.find(
  (m) =>
    experiment.metrics.filter((o) => o.name === m.name).length === 1 &&
    ("synthetic" in m ? m.synthetic.context === null : m.contexts === undefined)
)!

/** The test page's bundle, built once for the file. */
class TestPage extends Context.Tag("test/TestPage")<TestPage, string>() {}
const layerTestPage = Layer.effect(
  TestPage,
  Effect.promise(async () => {
    const { code } = await bundleForBrowser({ entry: join(import.meta.dirname, "browser", "page.ts") })
    return new TextDecoder().decode(code)
  })
)

const html = `<!doctype html><meta charset="utf-8"><title>comet-ts test page</title><script type="module" src="/page.js"></script>`

/** Serve the test page on its own origin; returns that origin. */
const servePage = Effect.flatMap(TestPage, (js) =>
  Effect.map(
    serveFiles({
      "/": { body: html, contentType: "text/html; charset=utf-8" },
      "/page.js": { body: js, contentType: "text/javascript" }
    }),
    (s) => s.origin
  )
)

/** Start an emulator on a random loopback port (for the scope); returns its URL and instance. */
const startEmulator = (options: Emulator.ServerOptions) =>
  Effect.gen(function* () {
    const context = yield* Layer.build(Emulator.layerServer({ dataset, port: 0, ...options }))
    const address = Context.get(context, HttpServer.HttpServer).address
    if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("not a TCP server")
    return { url: `http://127.0.0.1:${address.port}`, emulator: Context.get(context, Emulator.Emulator) }
  })

const pageUrl = (origin: string, params: Record<string, string>) => `${origin}/?${new URLSearchParams(params)}`

/** The typed error a page showed, checked: a TransportError "browser-network" with the advice. */
const assertBrowserNetworkError = (outputs: Readonly<Record<string, string>>) => {
  assert.strictEqual(outputs.status, "error", JSON.stringify(outputs))
  assert.strictEqual(outputs["error-instance"], "TransportError")
  assert.strictEqual(outputs["error-reason"], "browser-network")
  // The short bounded retry: 1 attempt + 2 retries, not the 8 retries of the default budget.
  assert.strictEqual(outputs["error-attempts"], "3")
  const message = outputs["error-message"] ?? ""
  for (const part of ["Failed to fetch", "CORS", "same-origin proxy", "Authorization", "--cors", "refused"])
    assert.include(message, part)
  assert.notInclude(message, KEY)
}

layer(Layer.mergeAll(layerChromium, layerTestPage), { timeout: "60 seconds", excludeTestServices: true })(
  "the facade in headless Chromium",
  (it) => {
    it.scoped(
      "reads the emulator across origins (--cors): the workspaces and a chart equal to the dataset",
      () =>
        Effect.gen(function* () {
          const page = yield* servePage
          const { url, emulator } = yield* startEmulator({ cors: page })
          const result = yield* readPage(
            pageUrl(page, { baseUrl: url, apiKey: KEY, experiment: experiment.experimentKey, metric: series.name })
          )
          const out = result.outputs
          assert.strictEqual(out.status, "ok", `${JSON.stringify(out)}\n${result.console.join("\n")}`)
          assert.deepStrictEqual(JSON.parse(out.workspaces ?? "null"), [...user.workspaces])
          const points = materialize(series)
          const expected = Array.from(points.values, (v) => (Number.isNaN(v) ? null : v))
          assert.isAbove(expected.length, 1)
          assert.deepStrictEqual(JSON.parse(out.chart ?? "null"), expected)
          // The emulator saw exactly the two reads, each once, with the key (no 401, no retry).
          const snap = yield* emulator.stats.snapshot
          assert.deepStrictEqual(snap.byEndpoint.workspaces?.byStatus, { "200": 1 })
          assert.deepStrictEqual(snap.byEndpoint["experiments/multi-metric-chart"]?.byStatus, { "200": 1 })
        }),
      60_000
    )

    for (const [what, cors] of [
      ["emulator without --cors", undefined],
      ["emulator allowing another origin", "http://127.0.0.1:1"]
    ] as const)
      it.scoped(
        `CORS refused (${what}): the typed error, naming CORS and the proxy, after a short retry`,
        () =>
          Effect.gen(function* () {
            const page = yield* servePage
            const { url, emulator } = yield* startEmulator({ cors })
            const { outputs } = yield* readPage(pageUrl(page, { baseUrl: url, apiKey: KEY }))
            assertBrowserNetworkError(outputs)
            // The browser stopped at the preflight: not one real request reached the emulator.
            assert.strictEqual((yield* emulator.stats.snapshot).requests, 0)
          }),
        60_000
      )

    it.scoped(
      "connection refused: the same typed error (the page cannot tell it from CORS)",
      () =>
        Effect.gen(function* () {
          const page = yield* servePage
          const port = yield* closedPort
          const { outputs } = yield* readPage(pageUrl(page, { baseUrl: `http://127.0.0.1:${port}`, apiKey: KEY }))
          assertBrowserNetworkError(outputs)
        }),
      60_000
    )

    it.scoped(
      "the README's example: page and API on one origin through the proxy, the key only on the server",
      () =>
        Effect.gen(function* () {
          const exampleDir = join(root, "examples", "browser")
          // The example's own build script, as the README runs it.
          yield* Effect.tryPromise(
            () =>
              new Promise<void>((resolve, reject) =>
                execFile("pnpm", ["run", "--silent", "build"], { cwd: exampleDir }, (e, _out, err) =>
                  e === null ? resolve() : reject(new Error(`${e.message}\n${err}`))
                )
              )
          )
          const bundle = readFileSync(join(exampleDir, "dist", "page.js"), "utf8")
          assert.notInclude(bundle, KEY)
          const { url, emulator } = yield* startEmulator({})
          const proxy = yield* Effect.acquireRelease(
            Effect.sync(() =>
              spawn(process.execPath, [join(exampleDir, "proxy.mjs")], {
                cwd: root,
                env: { ...process.env, COMET_API_KEY: KEY, COMET_URL_OVERRIDE: url, PORT: "0" },
                stdio: ["ignore", "pipe", "pipe"]
              })
            ),
            (child) => Effect.sync(() => child.kill("SIGTERM"))
          )
          const origin = yield* Effect.async<string, Error>((resume) => {
            let out = ""
            let err = ""
            proxy.stdout.on("data", (d: Buffer) => {
              out += d.toString()
              const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
              if (m?.[1] !== undefined) resume(Effect.succeed(m[1]))
            })
            proxy.stderr.on("data", (d: Buffer) => {
              err += d.toString()
            })
            proxy.on("exit", (code) => resume(Effect.fail(new Error(`the proxy exited (${code}): ${err}`))))
          })
          const result = yield* readPage(`${origin}/`, { readyText: "loading…" })
          assert.strictEqual(result.outputs.status, "ok", `${JSON.stringify(result.outputs)}\n${result.console}`)
          assert.strictEqual(result.outputs.workspaces, user.workspaces.join(""))
          // The browser only ever talked to the page's origin, and never with the key.
          assert.isAbove(result.requests.length, 2)
          for (const r of result.requests) {
            assert.isTrue(r.url.startsWith(`${origin}/`), r.url)
            assert.notStrictEqual(r.authorization, KEY)
          }
          // The emulator got the read, with the key the proxy added.
          assert.deepStrictEqual((yield* emulator.stats.snapshot).byEndpoint.workspaces?.byStatus, { "200": 1 })
        }),
      60_000
    )
  }
)
