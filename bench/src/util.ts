/**
 * Small helpers of the bench: timing, statistics, a bounded worker pool, formatting.
 */
import { performance } from "node:perf_hooks"

/** Milliseconds since an arbitrary origin, sub-millisecond precision. */
export const now = (): number => performance.now()

/** The median of a non-empty list. */
export const median = (xs: ReadonlyArray<number>): number => {
  if (xs.length === 0) throw new Error("median of nothing")
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** The smallest value of a non-empty list. */
export const min = (xs: ReadonlyArray<number>): number => Math.min(...xs)

/** Round to `digits` decimals. */
export const round = (x: number, digits = 2): number => {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

/** Time one async call, in ms. */
export const timeAsync = async <A>(f: () => Promise<A>): Promise<{ readonly ms: number; readonly value: A }> => {
  const t0 = now()
  const value = await f()
  return { ms: now() - t0, value }
}

/** Run `task` over `items` with at most `concurrency` in flight (a plain worker pool). */
export const pool = async <A, B>(
  items: ReadonlyArray<A>,
  concurrency: number,
  task: (a: A, i: number) => Promise<B>
): Promise<Array<B>> => {
  const out = new Array<B>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await task(items[i] as A, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return out
}

/** Collect garbage when node runs with --expose-gc (the launcher passes it). */
export const collectGarbage = (): void => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc !== undefined) gc()
}

/** Bytes as MiB. */
export const mib = (bytes: number): number => bytes / (1024 * 1024)
