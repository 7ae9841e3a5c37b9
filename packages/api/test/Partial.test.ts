/**
 * Partial data never passes as complete: a JSON body cut off, an asset download short of its
 * Content-Length (buffered and streamed), and a chunked multi-metric fetch that loses a chunk
 * each end in a retry (and then the full, correct result) or in a typed error — never in a
 * short result. Through the Promise facade, against the emulator.
 */
import { isCometError } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { API, APIOptions } from "../src/index.js"
import { Capture, emulator, facade, ORIGIN, SECRET } from "./support/facade.js"

const fast = { http: { retryBaseDelay: "1 millis", retryMaxDelay: "5 millis" } } as const

const clean = emulator({ seed: 1 })
const ws = clean.dataset.workspaces[0]!
const project = ws.projects[0]!
const exp = project.experiments[0]!
const KEY = exp.experimentKey
const asset = exp.assets.find((a) => a.fileName === "dataset-card.md")!
const big = exp.assets.find((a) => a.fileName === "checkpoint.bin")!
const chartKeys = project.experiments.map((e) => e.experimentKey)

/** Run `f` on a facade over `fetch`, close it, and check that the key leaked nowhere. */
const using = async <A>(
  fetch: typeof globalThis.fetch,
  options: Partial<APIOptions>,
  f: (api: API, capture: Capture) => Promise<A>
): Promise<A> => {
  const capture = new Capture()
  const api = facade(fetch, capture, { ...fast, ...options })
  try {
    return await f(api, capture)
  } catch (e) {
    capture.error(e)
    throw e
  } finally {
    await api.close()
    assert.deepStrictEqual(capture.leaks(SECRET, [ORIGIN]), [])
  }
}

/** The typed error a promise rejects with (fails the test if it resolves). */
const rejection = async (p: Promise<unknown>): Promise<Error & Record<string, unknown>> => {
  const result = await p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error })
  )
  if (result.ok) assert.fail(`resolved with ${JSON.stringify(result.value)?.slice(0, 200)}`)
  assert.isTrue(isCometError(result.error), String(result.error))
  return result.error as Error & Record<string, unknown>
}

const cleanResult = <A>(f: (api: API) => Promise<A>) => using(clean.fetch, {}, (api) => f(api))

describe("a JSON body cut off", () => {
  it.live("every attempt truncated: TransportError truncated after the retries, nothing returned", () =>
    Effect.promise(async () => {
      const emu = emulator({ seed: 1, faults: "truncate:1@experiment/metrics/get-metric" })
      const e = await using(emu.fetch, { maxRetries: 3 }, (api) => rejection(api.getExperimentMetric(KEY, "loss")))
      assert.strictEqual(e._tag, "TransportError")
      assert.strictEqual(e.reason, "truncated")
      assert.strictEqual(e.attempts, 4)
      assert.include(e.message, "nothing partial was returned")
      const server = Effect.runSync(emu.stats.snapshot)
      assert.strictEqual(server.faults.truncate, 4)
    })
  )

  it.live("half the attempts truncated: retried until whole, equal to the fault-free answer", () =>
    Effect.promise(async () => {
      const expected = await cleanResult((api) =>
        Promise.all(exp.metrics.map((m) => api.getExperimentMetric(KEY, m.name)))
      )
      const emu = emulator({ dataset: clean.dataset, seed: 3, faults: "truncate:0.5" })
      const { actual, stats } = await using(emu.fetch, { maxRetries: 20 }, async (api) => {
        const actual = await Promise.all(exp.metrics.map((m) => api.getExperimentMetric(KEY, m.name)))
        return { actual, stats: await api.getRequestStats() }
      })
      assert.deepStrictEqual(actual, expected)
      assert.isAbove(stats.retriesByCause.truncated ?? 0, 3)
      assert.strictEqual(stats.failures, 0)
      assert.strictEqual(actual[exp.metrics.findIndex((m) => m.name === "loss")]?.length, 200)
    })
  )

  it.live("a body shorter than its Content-Length that ends cleanly is still caught", () =>
    Effect.promise(async () => {
      let served = 0
      const shortOnce: typeof globalThis.fetch = async (input, init) => {
        const response = await clean.fetch(input, init)
        if (!new URL(new Request(input, init).url).pathname.endsWith("/experiment/metadata") || served++ > 0) {
          return response
        }
        const text = await response.text()
        // a valid JSON prefix would be a disaster: cut where the text still parses as a value
        const cut = text.slice(0, text.indexOf(',"experimentName"')).concat("}")
        JSON.parse(cut)
        return new Response(cut, {
          headers: { "content-type": "application/json", "content-length": String(text.length) }
        })
      }
      const expected = await cleanResult((api) => api.getExperimentMetadata(KEY))
      const actual = await using(shortOnce, {}, async (api) => {
        const m = await api.getExperimentMetadata(KEY)
        const stats = await api.getRequestStats()
        assert.deepStrictEqual(stats.retriesByCause, { truncated: 1 })
        return m
      })
      assert.deepStrictEqual(actual, expected)
    })
  )
})

describe("an asset download short of its Content-Length", () => {
  it.live("buffered: every attempt truncated is a TransportError, never the half that arrived", () =>
    Effect.promise(async () => {
      const emu = emulator({ seed: 1, faults: "truncate:1@experiment/asset/get-asset" })
      const e = await using(emu.fetch, { maxRetries: 2 }, (api) =>
        rejection(api.getExperimentAsset(KEY, asset.assetId, { returnType: "text" }))
      )
      assert.strictEqual(e._tag, "TransportError")
      assert.strictEqual(e.reason, "truncated")
      assert.strictEqual(e.attempts, 3)
    })
  )

  it.live("buffered: a body that ends cleanly short of Content-Length is retried, then complete", () =>
    Effect.promise(async () => {
      let served = 0
      const shortOnce: typeof globalThis.fetch = async (input, init) => {
        const response = await clean.fetch(input, init)
        if (!new URL(new Request(input, init).url).pathname.endsWith("/experiment/asset/get-asset") || served++ > 0) {
          return response
        }
        const bytes = new Uint8Array(await response.arrayBuffer())
        return new Response(bytes.slice(0, bytes.length - 1), {
          headers: { "content-type": "application/octet-stream", "content-length": String(bytes.length) }
        })
      }
      const expected = await cleanResult((api) => api.getExperimentAsset(KEY, asset.assetId))
      const actual = await using(shortOnce, {}, async (api) => {
        const bytes = await api.getExperimentAsset(KEY, asset.assetId)
        assert.deepStrictEqual((await api.getRequestStats()).retriesByCause, { truncated: 1 })
        return bytes
      })
      assert.strictEqual(actual.length, expected.length)
      assert.deepStrictEqual(actual, expected)
    })
  )

  it.live("streamed: a body cut every time resumes, then fails the iteration with truncated, never ends short", () =>
    Effect.promise(async () => {
      const emu = emulator({ seed: 1, faults: "truncate:1@experiment/asset/get-asset" })
      const { received, error } = await using(emu.fetch, { maxRetries: 2 }, async (api) => {
        let received = 0
        try {
          for await (const chunk of api.streamExperimentAsset(KEY, big.assetId)) received += chunk.length
          return { received, error: undefined }
        } catch (error) {
          return { received, error }
        }
      })
      assert.isDefined(error, `the stream ended normally after ${received} bytes`)
      assert.isTrue(isCometError(error))
      const e = error as Error & Record<string, unknown>
      assert.strictEqual(e._tag, "TransportError")
      assert.strictEqual(e.reason, "truncated")
      const size = "synthetic" in big.content ? big.content.synthetic.size : 0
      assert.isAbove(received, 0)
      assert.isBelow(received, size)
      assert.include(e.message, String(size), e.message)
    })
  )

  it.live("streamed: a body cut once resumes (read again, the bytes already delivered skipped): every byte once", () =>
    Effect.promise(async () => {
      let cut = 0
      const cutOnce: typeof globalThis.fetch = async (input, init) => {
        const response = await clean.fetch(input, init)
        if (!new URL(new Request(input, init).url).pathname.endsWith("/experiment/asset/get-asset") || cut++ > 0) {
          return response
        }
        const bytes = new Uint8Array(await response.arrayBuffer())
        const half = bytes.length >> 1
        let sent = false
        return new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              if (!sent) {
                sent = true
                return controller.enqueue(bytes.slice(0, half))
              }
              controller.error(new TypeError("terminated: other side closed"))
            }
          }),
          { headers: { "content-type": "application/octet-stream", "content-length": String(bytes.length) } }
        )
      }
      const expected = await cleanResult((api) => api.getExperimentAsset(KEY, big.assetId))
      const actual = await using(cutOnce, {}, async (api) => {
        const chunks: Array<Uint8Array> = []
        for await (const chunk of api.streamExperimentAsset(KEY, big.assetId)) chunks.push(chunk)
        assert.deepStrictEqual((await api.getRequestStats()).retriesByCause, { truncated: 1 })
        const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
        let at = 0
        for (const c of chunks) {
          all.set(c, at)
          at += c.length
        }
        return all
      })
      assert.strictEqual(actual.length, expected.length)
      assert.isTrue(Buffer.from(actual).equals(Buffer.from(expected)))
    })
  )
})

describe("a chunked multi-metric fetch that loses a chunk", () => {
  const metrics = ["loss", "accuracy"]
  /** Requests to multi-metric-chart whose targets include `victim`. */
  const losing = (victim: string, times: number, how: "reset" | "truncate" | "503") => {
    let lost = 0
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const request = new Request(input, init)
      if (!request.url.endsWith("/experiments/multi-metric-chart")) return clean.fetch(input, init)
      const body = (await request.clone().json()) as { targetedExperiments: Array<string> }
      if (!body.targetedExperiments.includes(victim) || lost >= times) return clean.fetch(input, init)
      lost++
      if (how === "reset") {
        throw new TypeError("fetch failed", {
          cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })
        })
      }
      if (how === "503") return Response.json({ code: 503, msg: "Service unavailable" }, { status: 503 })
      const full = await (await clean.fetch(input, init)).text()
      // the headers promise everything, the body stops half way with a clean end
      return new Response(full.slice(0, full.length >> 1), {
        headers: { "content-type": "application/json", "content-length": String(full.length) }
      })
    }
    return fetch
  }

  for (const how of ["reset", "truncate", "503"] as const) {
    it.live(`a chunk lost once (${how}) is retried and the merged result is complete and correct`, () =>
      Effect.promise(async () => {
        const expected = await cleanResult((api) => api.getMetricsForChart(chartKeys, metrics))
        assert.strictEqual(Object.keys(expected).length, chartKeys.length)
        const victim = chartKeys[13] as string
        const progress: Array<number> = []
        const actual = await using(losing(victim, 1, how), { chartChunkSize: 5 }, async (api) => {
          const r = await api.getMetricsForChart(chartKeys, metrics, undefined, {
            onProgress: (done) => progress.push(done)
          })
          const stats = await api.getRequestStats()
          assert.strictEqual(stats.byEndpoint["experiments/multi-metric-chart"]?.requests, 5)
          assert.strictEqual(stats.byEndpoint["experiments/multi-metric-chart"]?.retries, 1)
          return r
        })
        assert.deepStrictEqual(actual, expected)
        assert.strictEqual(Math.max(...progress), chartKeys.length)
      })
    )

    it.live(`a chunk lost on every attempt (${how}) fails the whole call with a typed error`, () =>
      Effect.promise(async () => {
        const victim = chartKeys[13] as string
        const progress: Array<number> = []
        const e = await using(losing(victim, 1_000, how), { chartChunkSize: 5, maxRetries: 2 }, (api) =>
          rejection(
            api.getMetricsForChart(chartKeys, metrics, undefined, { onProgress: (done) => progress.push(done) })
          )
        )
        assert.strictEqual(e._tag, how === "503" ? "ServerError" : "TransportError")
        if (how !== "503") assert.strictEqual(e.reason, how === "reset" ? "network" : "truncated")
        assert.strictEqual(e.attempts, 3)
        // the other chunks may have arrived, but the call never reports the lost one as done
        assert.isBelow(Math.max(0, ...progress), chartKeys.length)
      })
    )
  }

  it.live("per-experiment chart reads: the one whose chunk is lost is a typed error, the others are complete", () =>
    Effect.promise(async () => {
      const victim = chartKeys[2] as string
      const outcomes = await using(
        losing(victim, 1_000, "reset"),
        { chartChunkSize: 5, maxRetries: 1 },
        async (api) => {
          const experiments = await Promise.all(chartKeys.slice(0, 5).map((k) => api.getExperimentByKey(k)))
          return Promise.allSettled(experiments.map((e) => e.getMetricsForChart(metrics)))
        }
      )
      const victimOutcome = outcomes[2]
      assert.strictEqual(victimOutcome?.status, "rejected")
      if (victimOutcome?.status === "rejected") assert.isTrue(isCometError(victimOutcome.reason))
      for (const o of outcomes) {
        if (o.status === "fulfilled") assert.strictEqual(o.value?.metrics.length, metrics.length)
      }
    })
  )
})
