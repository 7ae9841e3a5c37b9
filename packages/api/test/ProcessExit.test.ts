/**
 * A process that downloaded through the facade exits by itself once its work is done, closed
 * or not: the connections a download leaves idle in the pool (socketBody.ts), kept alive by the
 * server, and their idle timers hold no reference on the event loop. Run in a child process.
 */
import { execFile } from "node:child_process"
import { createServer, type Socket } from "node:net"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { listening } from "../../http/test/support/sockets.js"

/** A server answering every request "ok" and keeping its connections for a minute. */
const keepingAlive = Effect.suspend(() => {
  const held = new Set<Socket>()
  const server = createServer((s) => {
    held.add(s)
    s.on("error", () => {})
    s.on("close", () => held.delete(s))
    s.on("data", () => s.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nkeep-alive: timeout=60\r\n\r\nok"))
  })
  return listening(server, held)
})

describe("a process that downloaded exits by itself", () => {
  for (const ending of ["close", "open"] as const) {
    it.scopedLive(
      `client ${ending === "close" ? "closed" : "left open"}: the child exits with code 0`,
      () =>
        Effect.gen(function* () {
          const url = yield* keepingAlive
          const outcome = yield* Effect.promise(
            () =>
              new Promise<{ readonly code: number | null; readonly signal: string | null; readonly stdout: string }>(
                (resolve) => {
                  execFile(
                    process.execPath,
                    [
                      "--import",
                      "tsx",
                      fileURLToPath(new URL("./support/exitAfterDownloads.ts", import.meta.url)),
                      url,
                      ending
                    ],
                    // a child kept alive by a socket is killed (SIGTERM) well before the test's own timeout
                    { cwd: fileURLToPath(new URL("..", import.meta.url)), timeout: 20_000 },
                    (error, stdout) =>
                      resolve({
                        code: error === null ? 0 : typeof error.code === "number" ? error.code : null,
                        signal: error?.signal ?? null,
                        stdout
                      })
                  )
                }
              )
          )
          assert.deepStrictEqual(outcome, { code: 0, signal: null, stdout: "done" })
        }),
      40_000
    )
  }
})
