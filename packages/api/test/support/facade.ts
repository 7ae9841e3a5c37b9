/**
 * The facade over an emulator, with every span, log line, request and error captured for the
 * key checks. Hermetic: configuration comes from the options only (no environment, no config
 * files).
 */
import { CometConfig } from "@comet-ts/core"
import * as Emulator from "@comet-ts/emulator"
import { Effect } from "effect"
import { API, type APIOptions } from "../../src/index.js"
import { Capture } from "./capture.js"

/** The soak's API key: long and distinctive, so a leak of it cannot be a coincidence. */
export const SECRET = "ck_live_7Hq2ZpL9xW4vN8rT1yB6mK3sD0fG5jE"

/** The origin the facade talks to (the in-process emulator answers any host). */
export const ORIGIN = "http://127.0.0.1:4820"

/** The soak's fault spec: the issue's, with Retry-After in seconds (0.2 = 200 ms, on 429 and 503). */
export const faultSpec = (retryAfterSeconds: number) =>
  `429:0.2,503:0.1,reset:0.05,truncate:0.05,retry-after=${retryAfterSeconds}`

/** An emulator instance (in process) answering `SECRET`. */
export const emulator = (options: Emulator.EmulatorOptions = {}): Emulator.EmulatorShape =>
  Effect.runSync(Emulator.make({ apiKey: SECRET, ...options }))

/** A facade over `fetch` (the emulator's, or the global one for a real socket), captured. */
export const facade = (fetch: typeof globalThis.fetch, capture: Capture, options: Partial<APIOptions> = {}): API =>
  new API({
    apiKey: SECRET,
    baseUrl: ORIGIN,
    panel: false,
    sources: CometConfig.staticSources({}),
    httpClient: capture.client(fetch),
    ...options
  })

export { Capture }
