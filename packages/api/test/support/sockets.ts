/**
 * For tests over real sockets: what keeps the process alive (sockets, timers), a bounded wait
 * for a condition, and the loopback URL and in-flight count of an emulator server.
 */
import type * as Emulator from "@comet-ts/emulator"
import { HttpServer } from "@effect/platform"
import { assert } from "@effect/vitest"
import { Effect } from "effect"

/** Resources that keep the process alive, by type (TCPSocketWrap, Timeout, …). */
export const resources = (): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1
  return counts
}

/** Wait (polling, bounded by a count of turns, not a duration) until `condition` holds. */
export const eventually = (condition: () => boolean, what: () => string) =>
  Effect.gen(function* () {
    for (let i = 0; i < 1000; i++) {
      if (condition()) return
      yield* Effect.sleep("10 millis")
    }
    assert.fail(`never: ${what()}`)
  })

/** The URL of the HttpServer in the context (the emulator on a loopback port). */
export const serverUrl = Effect.map(HttpServer.HttpServer, (server) => {
  const address = server.address
  assert.strictEqual(address._tag, "TcpAddress")
  return address._tag === "TcpAddress" ? `http://${address.hostname}:${address.port}` : ""
})

/** Requests the emulator has in flight. */
export const inFlight = (emulator: Emulator.EmulatorShape) => Effect.runSync(emulator.stats.snapshot).inFlight
