/**
 * `node bench/.cache/profile-client.mjs [ours|fetch|undici] [N] [C] [LATENCY]` (after `pnpm bench` bundled it;
 * add `--cpu-prof` to node to get a profile): N metric-summary requests at concurrency C against
 * a bench server in a child process with no latency, reporting the client's CPU time per
 * request. This is how the per-request cost of the comet-ts path was profiled (bench/README.md).
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { API } from "@comet-ts/api"
import { Effect } from "effect"
import { Agent, request } from "undici"
import { readAll } from "../../packages/http/src/internal/body.js"
import { undiciTransport } from "../../packages/http/src/internal/transportUndici.js"
import { SWEEP_SIZE, sweepKey } from "./dataset.js"
import { serveInChild } from "./server.js"
import { now, pool, round } from "./util.js"

const which = process.argv[2] ?? "ours"
const n = Number(process.argv[3] ?? 5000)
const c = Number(process.argv[4] ?? 16)
const latency = Number(process.argv[5] ?? 0)

/** CPU ticks (10 ms) per thread name, from /proc (empty elsewhere): the main thread vs V8's and libuv's helpers. */
const threadTimes = (): Map<string, number> => {
  const out = new Map<string, number>()
  try {
    for (const tid of readdirSync("/proc/self/task")) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8")
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")).replace(/[0-9]+$/, "")
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      const ticks = Number(fields[11]) + Number(fields[12])
      out.set(name, (out.get(name) ?? 0) + ticks)
    }
  } catch {
    // no /proc: no breakdown
  }
  return out
}

const main = async () => {
  const server = await serveInChild(join(import.meta.dirname, "server-main.mjs"), {
    latency,
    assetBytes: 1
  })
  const keys = Array.from({ length: n }, (_, i) => sweepKey(i % SWEEP_SIZE))
  const api = new API({ baseUrl: server.url, apiKey: server.apiKey, maxConcurrency: c, panel: false })
  const headers = { Authorization: server.apiKey, Accept: "application/json" }
  const dispatcher = new Agent({ connections: c })
  // a plain semaphore (Effect's own wakes every waiter on each release: quadratic with 1,000 waiting)
  let free = c
  const queue: Array<() => void> = []
  const limit = async <A>(f: () => Promise<A>): Promise<A> => {
    if (free > 0) free--
    else await new Promise<void>((resolve) => queue.push(resolve))
    try {
      return await f()
    } finally {
      const next = queue.shift()
      if (next === undefined) free++
      else next()
    }
  }
  const adapter =
    which === "adapter"
      ? await undiciTransport({
          connections: c,
          httpProxy: null,
          httpsProxy: null,
          noProxy: "",
          extraCa: null,
          rejectUnauthorized: true
        })
      : null
  const once = async (ks: ReadonlyArray<string>) => {
    if (adapter !== null)
      await pool(ks, c, async (k) => {
        const res = await adapter.send(
          {
            method: "GET",
            url: `${server.url}/api/rest/v2/experiment/metrics/summary?experimentKey=${k}`,
            headers: { authorization: server.apiKey, accept: "application/json" },
            body: undefined,
            encoding: "any"
          },
          new AbortController().signal
        )
        const bytes = await readAll({
          response: res,
          limit: 1 << 28,
          limitName: "x",
          onBytes: () => {},
          describeError: String
        })
        return JSON.parse(new TextDecoder().decode(bytes)) as unknown
      })
    else if (which === "ours")
      // rounds of distinct keys: identical concurrent calls would be coalesced into one request
      for (let i = 0; i < ks.length; i += SWEEP_SIZE)
        await Promise.all(ks.slice(i, i + SWEEP_SIZE).map((k) => api.getExperimentMetricsSummaries(k)))
    else if (which === "ours-pool")
      // the facade called by C workers (no call waits for a permit)
      await pool(ks, c, (k) => api.getExperimentMetricsSummaries(k))
    else if (which === "effect") {
      // the Effect floor: one fiber per call (as the facade runs a call), a semaphore of C, raw undici inside
      for (let i = 0; i < ks.length; i += SWEEP_SIZE)
        await Promise.all(
          ks.slice(i, i + SWEEP_SIZE).map((k) =>
            Effect.runPromise(
              Effect.promise(() =>
                limit(() =>
                  request(`${server.url}/api/rest/v2/experiment/metrics/summary?experimentKey=${k}`, {
                    dispatcher,
                    headers
                  }).then((res) => res.body.json())
                )
              )
            )
          )
        )
    } else if (which === "undici")
      await pool(ks, c, async (k) => {
        const res = await request(`${server.url}/api/rest/v2/experiment/metrics/summary?experimentKey=${k}`, {
          dispatcher,
          headers
        })
        return res.body.json()
      })
    else
      await pool(ks, c, async (k) => {
        const res = await fetch(`${server.url}/api/rest/v2/experiment/metrics/summary?experimentKey=${k}`, { headers })
        return res.json()
      })
  }
  await once(keys.slice(0, Math.min(n, SWEEP_SIZE)))
  // a preload (--import) may define these to profile only the measured requests
  const hooks = globalThis as { __measureStart?: () => void; __measureEnd?: () => void }
  hooks.__measureStart?.()
  const threads0 = threadTimes()
  const cpu0 = process.cpuUsage()
  const t0 = now()
  await once(keys)
  const wall = now() - t0
  const cpu = process.cpuUsage(cpu0)
  const cpuMs = (cpu.user + cpu.system) / 1000
  const threads1 = threadTimes()
  hooks.__measureEnd?.()
  const perThread = [...threads1]
    .map(([name, t]) => [name, t - (threads0.get(name) ?? 0)] as const)
    .filter(([, t]) => t > 0)
    .map(([name, t]) => `${name} ${t * 10} ms`)
    .join(", ")
  process.stdout.write(
    `${which}: ${n} requests at c=${c}: wall ${round(wall)} ms, client CPU ${round(cpuMs)} ms = ${round((cpuMs / n) * 1000)} µs/request (user ${round(cpu.user / 1000)} ms, system ${round(cpu.system / 1000)} ms)${perThread === "" ? "" : ` (threads: ${perThread})`}\n`
  )
  await api.close()
  await dispatcher.close()
  await server.close()
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`)
  process.exit(1)
})
