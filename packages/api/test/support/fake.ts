/**
 * A tiny fake Comet for unit tests of the api package: a handler per request behind a mock
 * `HttpClient`, with every request recorded.
 */
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { Effect, Layer } from "effect"

export interface Seen {
  readonly method: string
  readonly url: URL
  readonly endpoint: string
  readonly body: unknown
  readonly signal: AbortSignal
}

export type Reply = { readonly status?: number; readonly json?: unknown; readonly bytes?: Uint8Array } | "hang"

export class Fake {
  readonly seen: Array<Seen> = []
  constructor(readonly handle: (req: Seen) => Reply) {}

  count(endpoint?: string): number {
    return endpoint === undefined ? this.seen.length : this.seen.filter((s) => s.endpoint === endpoint).length
  }

  get layer(): Layer.Layer<HttpClient.HttpClient> {
    return Layer.succeed(
      HttpClient.HttpClient,
      HttpClient.make((request, url, signal) =>
        Effect.gen(this, function* () {
          let body: unknown = null
          if (request.body._tag === "Uint8Array") body = JSON.parse(new TextDecoder().decode(request.body.body))
          const endpoint = url.pathname.replace(/^\/api\/rest\/v2\//, "")
          const seen: Seen = { method: request.method, url, endpoint, body, signal }
          this.seen.push(seen)
          const reply = this.handle(seen)
          if (reply === "hang") {
            return yield* Effect.never
          }
          const status = reply.status ?? 200
          const response =
            reply.bytes !== undefined
              ? new Response(new Blob([reply.bytes.slice()]), {
                  status,
                  headers: { "content-type": "application/octet-stream", "content-length": String(reply.bytes.length) }
                })
              : new Response(JSON.stringify(reply.json ?? {}), {
                  status,
                  headers: { "content-type": "application/json" }
                })
          return HttpClientResponse.fromWeb(request, response)
        })
      )
    )
  }
}

export const key = (i: number) => i.toString(16).padStart(32, "0")

export const summary = (i: number, project = "proj", archived = false) => ({
  experimentKey: key(i),
  experimentName: `run-${i}`,
  optimizationId: null,
  projectId: "p".repeat(32),
  projectName: project,
  workspaceName: "ws",
  filePath: null,
  fileName: null,
  durationMillis: 1000,
  startTimeMillis: 1_700_000_000_000 + i,
  endTimeMillis: 1_700_000_001_000 + i,
  archived
})

export const chartEntry = (k: string, metrics: ReadonlyArray<string>) => ({
  experimentKey: k,
  experimentName: `name-${k}`,
  steps: null,
  epochs: null,
  metrics: metrics.map((m) => ({
    metricName: m,
    values: [1, 2, 3],
    steps: [0, 1, 2],
    epochs: [null, null, null],
    timestamps: [1, 2, 3],
    durations: [0, 1, 2]
  })),
  params: null
})

/** Answers multi-metric-chart with one entry per targeted key. */
export const chartReply = (req: Seen): Reply => {
  const body = req.body as { targetedExperiments: Array<string>; metrics: Array<string> }
  return {
    json: {
      experiments: Object.fromEntries(body.targetedExperiments.map((k) => [k, chartEntry(k, body.metrics)])),
      empty: false
    }
  }
}
