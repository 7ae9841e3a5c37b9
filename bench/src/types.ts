/**
 * What every benchmark receives and returns.
 */
import type { RunningServer, ServerMode, ServerSpec } from "./server.js"

/** One entry of `bench/results.json`. */
export interface Result {
  /** Unique name of the entry, e.g. `fan-out c=8 vs ideal`. */
  readonly name: string
  /** The benchmark it belongs to (`fan-out`, `query-chart`, `decode`, `asset-stream`, `emulator`). */
  readonly benchmark: string
  /** What was measured, in a sentence. */
  readonly what: string
  /** comet-ts's figures. */
  readonly ours: Readonly<Record<string, unknown>>
  /** The baseline's figures (`baseline.name` says what it is). */
  readonly baseline: Readonly<Record<string, unknown>>
  /** The ratio the target is about (see `ratioDefinition`); null when there is nothing to compare. */
  readonly ratio: number | null
  /** How `ratio` is computed. */
  readonly ratioDefinition: string
  /** The target, in words. */
  readonly target: string
  /** Whether the target is met; null when the baseline could not run (then `skipped` says why). */
  readonly met: boolean | null
  /** Why the comparison could not be made, when it could not. */
  readonly skipped?: string | undefined
  /** The Node version of the run. */
  readonly node: string
  /** Anything else worth knowing about this run. */
  readonly notes?: string | undefined
}

/** What a benchmark gets from the runner. */
export interface BenchContext {
  /** The smaller, faster variant (`--quick`). */
  readonly quick: boolean
  /** Where the emulator runs. */
  readonly serverMode: ServerMode
  /** The repository root. */
  readonly root: string
  /** The directory of the bundled entry points (server child, asset child). */
  readonly bundleDir: string
  /** A directory for scratch files (removed at the end). */
  readonly scratch: string
  /** Start a bench server (stopped by the caller). */
  readonly startServer: (spec: Partial<ServerSpec>) => Promise<RunningServer>
  /** Progress line on stderr. */
  readonly log: (message: string) => void
}

/** A benchmark. */
export interface Benchmark {
  readonly name: string
  readonly run: (ctx: BenchContext) => Promise<ReadonlyArray<Result>>
}
