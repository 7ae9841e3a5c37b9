/**
 * Key hygiene: record every span, log line, request (URL, headers, body) and error a scenario
 * produces, then look for the API key in all of it. The key may appear in exactly one place:
 * the `Authorization` header of requests to the server it belongs to.
 */
import { FetchHttpClient, type HttpClient } from "@effect/platform"
import { Cause, Effect, Exit, Layer, Logger, LogLevel, Tracer } from "effect"

/** One request as it left the client (recorded by {@link Capture.fetch}). */
export interface SentRequest {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** Everything a scenario showed the outside world. */
export class Capture {
  readonly spans: Array<Tracer.Span> = []
  readonly logs: Array<string> = []
  readonly requests: Array<SentRequest> = []
  readonly errors: Array<unknown> = []

  /** A Tracer recording every span (delegating to the default tracer). */
  readonly tracer: Tracer.Tracer
  /** A Logger recording every line, at every level. */
  readonly logger: Logger.Logger<unknown, void>

  constructor() {
    const base = Effect.runSync(Effect.tracer)
    this.tracer = Tracer.make({
      span: (name, parent, context, links, startTime, kind, options) => {
        const span = base.span(name, parent, context, links, startTime, kind, options)
        this.spans.push(span)
        return span
      },
      context: (f, fiber) => base.context(f, fiber)
    })
    this.logger = Logger.make(({ annotations, cause, logLevel, message, spans }) => {
      const ann = [...annotations].map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ")
      const sp = [...spans].map((s) => s.label).join(",")
      this.logs.push(
        `${logLevel.label} ${JSON.stringify(message)} ${ann} ${sp} ${Cause.isEmpty(cause) ? "" : Cause.pretty(cause)}`
      )
    })
  }

  /** The tracer and logger as a Layer (the facade picks it up from its `httpClient` option). */
  get layer(): Layer.Layer<never> {
    return Layer.mergeAll(
      Layer.setTracer(this.tracer),
      Logger.replace(Logger.defaultLogger, this.logger),
      Logger.minimumLogLevel(LogLevel.All)
    )
  }

  /** A `fetch` that records every request before handing it to `inner`. */
  fetch(inner: typeof globalThis.fetch): typeof globalThis.fetch {
    return async (input, init) => {
      const request = new Request(input, init)
      const headers: Record<string, string> = {}
      request.headers.forEach((v, k) => {
        headers[k] = v
      })
      const body = init?.body === undefined || init.body === null ? "" : await request.clone().text()
      this.requests.push({ method: request.method, url: request.url, headers, body })
      return inner(input, init)
    }
  }

  /** `FetchHttpClient` over `inner` (recorded), plus this capture's tracer and logger. */
  client(inner: typeof globalThis.fetch): Layer.Layer<HttpClient.HttpClient> {
    return Layer.merge(
      FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, this.fetch(inner)))),
      this.layer
    )
  }

  /** Keep an error to be searched for the key later. */
  error(e: unknown): void {
    this.errors.push(e)
  }

  /**
   * Every place the key was found: `[where, excerpt]` pairs. `origins` are the servers that may
   * receive the key in `Authorization`; anywhere else is a leak.
   */
  leaks(key: string, origins: ReadonlyArray<string>): Array<readonly [string, string]> {
    const found: Array<readonly [string, string]> = []
    const forms = keyForms(key)
    const check = (where: string, text: string) => {
      const lower = text.toLowerCase()
      const form = forms.find((f) => lower.includes(f))
      if (form !== undefined) found.push([`${where} (as ${JSON.stringify(form.slice(0, 12))}…)`, text.slice(0, 300)])
    }
    for (const span of this.spans) for (const t of spanTexts(span)) check(`span ${span.name}`, t)
    for (const line of this.logs) check("log line", line)
    for (const r of this.requests) {
      check("request URL", r.url)
      check("request body", r.body)
      for (const [k, v] of Object.entries(r.headers)) {
        if (k !== "authorization") check(`request header ${k}`, v)
        else if (!origins.includes(new URL(r.url).origin)) check(`Authorization sent to ${new URL(r.url).origin}`, v)
      }
    }
    for (const e of this.errors) for (const t of renderings(e)) check("error", t)
    return found
  }
}

/**
 * The forms of a key a leak can take, lowercased (texts are compared lowercased, so case-folded
 * forms count): as written, JSON-escaped (all of it, or its first character), percent-encoded
 * (once or twice), HTML-escaped, hex, and the parts of
 * its base64 (standard and URL-safe) that depend on the key only, at each alignment.
 */
export const keyForms = (key: string): ReadonlyArray<string> => {
  const bytes = Buffer.from(key, "utf8")
  const forms = new Set<string>([
    key,
    [...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join(""),
    [...key].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`).join(""),
    [...key].map((c) => `%25${c.charCodeAt(0).toString(16).padStart(2, "0")}`).join(""),
    `${[...key.slice(0, 1)].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")}${key.slice(1)}`,
    [...key].map((c) => `&#${c.charCodeAt(0)};`).join(""),
    bytes.toString("hex")
  ])
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes])
    for (const alphabet of ["base64", "base64url"] as const) {
      const encoded = padded.toString(alphabet)
      forms.add(encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6)))
    }
  }
  return [...forms].map((f) => f.toLowerCase())
}

/** Every text a value can show: String, message, stack, JSON, its own fields and its cause. */
export const renderings = (u: unknown, depth = 0): Array<string> => {
  const out: Array<string> = [String(u)]
  if (u instanceof Error) out.push(u.message, u.stack ?? "")
  try {
    out.push(JSON.stringify(u) ?? "")
  } catch {
    out.push("(unserialisable)")
  }
  if (typeof u === "object" && u !== null && depth < 3) {
    for (const k of Object.keys(u)) {
      const v: unknown = Reflect.get(u, k)
      out.push(...(typeof v === "object" && v !== null ? renderings(v, depth + 1) : [String(v)]))
    }
    if (u instanceof Error && u.cause !== undefined) out.push(...renderings(u.cause, depth + 1))
  }
  return out
}

const spanTexts = (span: Tracer.Span): Array<string> => {
  const out = [span.name]
  for (const [k, v] of span.attributes) out.push(`${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
  if (span.status._tag === "Ended" && Exit.isFailure(span.status.exit)) {
    const cause = span.status.exit.cause
    out.push(Cause.pretty(cause))
    for (const failure of Cause.failures(cause)) out.push(...renderings(failure))
  }
  return out
}
