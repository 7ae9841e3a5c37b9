/**
 * The option and settings types of `CometApi`: asset return types, chart, query and lookup
 * options, and the layer's settings. Re-exported by `CometApi.ts`.
 *
 * @internal
 */

/**
 * How an asset's bytes are returned: `"binary"` (a `Uint8Array`, the default), `"text"`
 * (UTF-8) or `"json"` (parsed).
 *
 * @since 0.1.0
 */
export type ReturnType = "binary" | "text" | "json"

/**
 * The value an asset read returns for a {@link ReturnType}.
 *
 * @since 0.1.0
 */
export type AssetResult<R extends ReturnType> = R extends "binary" ? Uint8Array : R extends "text" ? string : unknown

/**
 * Options of asset reads.
 *
 * @since 0.1.0
 */
export interface AssetOptions<R extends ReturnType = "binary"> {
  /** How to return the content. Default `"binary"`. */
  readonly returnType?: R | undefined
}

/**
 * Options of `getMetricsForChart`.
 *
 * @since 0.1.0
 */
export interface ChartOptions {
  /** Each metric keeps its own steps (true, the default) or metrics are aligned on shared steps. */
  readonly independentMetrics?: boolean | undefined
  /** All points (up to 15,000 per metric) instead of the server's ~500-point sample. Default false. */
  readonly fetchFull?: boolean | undefined
  /** Called after each chunk with (experiments done, experiments in all). */
  readonly onProgress?: ((done: number, total: number) => void) | undefined
}

/**
 * How a query with OR is sent: `"nested"` (Comet's nested OR predicates, one request, as the
 * newest Python SDK sends) or `"dnf"` (rewritten to AND-only terms, one request per term, keys
 * unioned: works with servers that do not understand nested OR).
 *
 * @since 0.1.0
 */
export type OrStrategy = "nested" | "dnf"

/**
 * Options of `query`.
 *
 * @since 0.1.0
 */
export interface QueryOptions {
  /** Search archived experiments instead. Default false. */
  readonly archived?: boolean | undefined
  /** How OR is sent. Default `"nested"`. */
  readonly orStrategy?: OrStrategy | undefined
}

/**
 * Which summary a named lookup reads.
 *
 * @since 0.1.0
 */
export type SummaryKind = "metric" | "parameter" | "other"

/**
 * Where an experiment is looked up by name.
 *
 * @since 0.1.0
 */
export interface ProjectLocation {
  readonly workspace?: string | undefined
  readonly projectName?: string | undefined
}

/**
 * Settings of the API layer.
 *
 * @since 0.1.0
 */
export interface CometApiSettings {
  /** Default workspace for lookups by name (`COMET_WORKSPACE`). */
  readonly workspace?: string | null | undefined
  /** Default project for lookups by name (`COMET_PROJECT_NAME`). */
  readonly projectName?: string | null | undefined
  /** Experiments per `multi-metric-chart` request; default adapts to metrics and `fetchFull`. */
  readonly chartChunkSize?: number | undefined
  /** How OR queries are sent by default. */
  readonly orStrategy?: OrStrategy | undefined
  /**
   * How long a project's columns are kept for compiling queries (default 5 minutes, 0 = never);
   * a query naming a column the kept list lacks fetches them again. The columns of the 128
   * projects fetched last are kept at most; expired ones are dropped.
   */
  readonly columnsTtlMillis?: number | undefined
}
