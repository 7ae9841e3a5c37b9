/**
 * Headless Chromium for the browser tests: Debian's `chromium` (installed by `.ci/run` when
 * missing; `CHROMIUM_PATH` points elsewhere), driven by playwright-core over the DevTools
 * protocol. Nothing is downloaded at test time. Also: a tiny loopback server for a page's files,
 * and reading what a page wrote into its DOM.
 */
import { existsSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { Context, Effect, Layer } from "effect"
import { type Browser, chromium, type Page } from "playwright-core"

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"

/** The running browser, shared by the tests of a file. */
export class Chromium extends Context.Tag("test/Chromium")<Chromium, Browser>() {}

/** Launch headless Chromium for the layer's lifetime; fail loudly when it is not installed. */
export const layerChromium: Layer.Layer<Chromium, Error> = Layer.scoped(
  Chromium,
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => {
        if (!existsSync(CHROMIUM_PATH))
          throw new Error(
            `headless Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium package (apt-get install -y chromium; .ci/run does it) or set CHROMIUM_PATH`
          )
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ["--no-sandbox"] })
      },
      catch: (e) => (e instanceof Error ? e : new Error(String(e)))
    }),
    (browser) => Effect.promise(() => browser.close())
  )
)

/** A file a static server serves: its bytes and Content-Type. */
export interface StaticFile {
  readonly body: string | Uint8Array
  readonly contentType: string
}

/** Serve files on a random loopback port for the scope's lifetime; returns the origin. */
export const serveFiles = (files: Readonly<Record<string, StaticFile>>) =>
  Effect.acquireRelease(
    Effect.async<{ readonly origin: string; readonly close: () => Promise<void> }>((resume) => {
      const server = createServer((req, res) => {
        const file = files[new URL(req.url ?? "/", "http://page.test").pathname]
        if (file === undefined || req.method !== "GET") return res.writeHead(404).end()
        res.writeHead(200, { "content-type": file.contentType, "cache-control": "no-store" }).end(file.body)
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(
          Effect.succeed({
            origin: `http://127.0.0.1:${port}`,
            close: () =>
              new Promise<void>((done) => {
                server.closeAllConnections()
                server.close(() => done())
              })
          })
        )
      })
    }),
    (s) => Effect.promise(s.close)
  )

/** A free loopback port with nothing listening on it (for "connection refused"). */
export const closedPort = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** What a page wrote: the text of every element with an id, and what it logged. */
export interface PageResult {
  readonly outputs: Readonly<Record<string, string>>
  readonly console: ReadonlyArray<string>
  readonly requests: ReadonlyArray<{ readonly url: string; readonly authorization: string | undefined }>
}

/**
 * Open `url` in a fresh browser context, wait (at most `timeoutMs`) until `#status` has text,
 * and read the page's ids. Rejects with what the page logged when it never gets there.
 */
export const readPage = (url: string, options: { readonly timeoutMs?: number; readonly readyText?: string } = {}) =>
  Effect.flatMap(Chromium, (browser) =>
    Effect.promise(async (): Promise<PageResult> => {
      const context = await browser.newContext()
      const logged: Array<string> = []
      const requests: Array<{ url: string; authorization: string | undefined }> = []
      try {
        const page: Page = await context.newPage()
        page.on("console", (m) => logged.push(`${m.type()}: ${m.text()}`))
        page.on("pageerror", (e) => logged.push(`pageerror: ${e.message}`))
        page.on("request", (r) => {
          void r.allHeaders().then((h) => requests.push({ url: r.url(), authorization: h.authorization }))
        })
        await page.goto(url)
        try {
          await page.waitForFunction(
            (ready) => {
              const text = document.querySelector("#status")?.textContent ?? ""
              return ready === null ? text.length > 0 : text.length > 0 && text !== ready
            },
            options.readyText ?? null,
            { timeout: options.timeoutMs ?? 20_000 }
          )
        } catch (e) {
          throw new Error(`the page never finished: ${String(e)}\n${logged.join("\n")}`)
        }
        const outputs = await page.evaluate(() =>
          Object.fromEntries([...document.querySelectorAll("[id]")].map((el) => [el.id, el.textContent ?? ""]))
        )
        return { outputs, console: logged, requests }
      } finally {
        await context.close()
      }
    })
  )
