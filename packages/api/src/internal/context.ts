/**
 * What every concern of `CometApi` shares: the `CometHttp` and request counters, the settings,
 * the scope batching fibers live in, typed GETs, and the batched, deduplicated metadata lookup.
 *
 * @internal
 */
import { type CometError, ExperimentMetadata, type ExperimentSummary, NotFound } from "@comet-ts/core"
import type { CometHttpShape, Params, RequestStatsShape } from "@comet-ts/http"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as Request from "effect/Request"
import * as RequestResolver from "effect/RequestResolver"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type { Experiment } from "../Experiment.js"
import { sameExperiment } from "./entity.js"
import type { CometApiSettings } from "./options.js"
import { missing, required } from "./paths.js"

/** A request for one experiment's metadata (deduplicated when batched). */
class GetMetadata extends Request.TaggedClass("GetMetadata")<
  ExperimentMetadata,
  CometError,
  { readonly key: string }
> {}

const groupBy = <A>(items: ReadonlyArray<A>, key: (a: A) => string): Map<string, Array<A>> => {
  const out = new Map<string, Array<A>>()
  for (const item of items) {
    const k = key(item)
    const list = out.get(k)
    if (list === undefined) out.set(k, [item])
    else list.push(item)
  }
  return out
}

/** The distinct items, in first-seen order. */
export const unique = (items: ReadonlyArray<string>): ReadonlyArray<string> => [...new Set(items)]

/**
 * Fail with the `NotFound` of a lookup the client makes itself (a name, a summary, an asset or a
 * model missing from a list the server sent): no server message, no SDK error code.
 */
export const notFound = (resource: string, id: string, endpoint: string | null): Effect.Effect<never, NotFound> =>
  Effect.fail(new NotFound({ resource, id, endpoint, serverMessage: null, sdkErrorCode: null }))

/**
 * Recover from a `NotFound` with `f`, as `Effect.catchTag("NotFound", f)` does (any other
 * failure passes through), without `catchTag`'s variadic machinery in the browser bundle.
 */
export const catchNotFound =
  <B, E2, R2>(f: (e: NotFound) => Effect.Effect<B, E2, R2>) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A | B, Exclude<E, E & NotFound> | E2, R | R2> =>
    Effect.catchIf<A, E, R, E & NotFound, B, E2, R2>(self, (e): e is E & NotFound => isNotFound(e), f)

const isNotFound = (e: unknown): e is NotFound =>
  typeof e === "object" && e !== null && "_tag" in e && e._tag === "NotFound"

/** Make the `Experiment` of a list entry or metadata object. */
export type ToExperiment = (m: ExperimentSummary | ExperimentMetadata) => Experiment

/** The shared context of one `CometApi` instance. */
export interface ApiContext {
  readonly http: CometHttpShape
  readonly stats: RequestStatsShape
  readonly settings: CometApiSettings
  /** The layer's scope: chart windows are flushed in fibers forked here. */
  readonly scope: Scope.Scope
  /** `GET <endpoint>` with query parameters, decoded with `schema`; `cacheable` lets the cache keep it. */
  readonly get: <A, I>(
    endpoint: string,
    schema: Schema.Schema<A, I, never>,
    params: Params,
    cacheable?: boolean
  ) => Effect.Effect<A, CometError>
  /**
   * As `get`, with the (checked, non-empty) `experimentKey` parameter first; an answer about
   * another experiment fails. `project` takes the part to return from the checked answer (in
   * the same step as the check).
   */
  readonly byKey: <A, I, B = A>(
    endpoint: string,
    schema: Schema.Schema<A, I, never>,
    experimentKey: string,
    extra?: Params,
    cacheable?: boolean,
    project?: (answer: A) => B
  ) => Effect.Effect<B, CometError>
  /** One experiment's metadata (checked to be that experiment's); lookups made together are batched and deduplicated. */
  readonly getExperimentMetadata: (experimentKey: string) => Effect.Effect<ExperimentMetadata, CometError>
}

/** No parameters past the experiment key (one object for every call). */
const NO_PARAMS: Params = {}

/** Build the shared context of one instance. */
export const makeContext = (
  http: CometHttpShape,
  stats: RequestStatsShape,
  settings: CometApiSettings,
  scope: Scope.Scope
): ApiContext => {
  const get = <A, I>(
    endpoint: string,
    schema: Schema.Schema<A, I, never>,
    params: Params,
    cacheable = false
  ): Effect.Effect<A, CometError> => http.get(endpoint, schema, { params, cacheable })

  const metadataResolver = RequestResolver.makeBatched((requests: ReadonlyArray<GetMetadata>) =>
    Effect.forEach(
      groupBy(requests, (r) => r.key),
      ([key, reqs]) =>
        get("experiment/metadata", ExperimentMetadata, { experimentKey: key }).pipe(
          Effect.flatMap(sameExperiment("experiment/metadata", key, identity<ExperimentMetadata>)),
          Effect.exit,
          Effect.flatMap((exit) => Effect.forEach(reqs, (r) => Request.complete(r, exit), { discard: true }))
        ),
      { concurrency: "unbounded", discard: true }
    )
  )

  const getExperimentMetadata = (experimentKey: string) =>
    Effect.flatMap(required("experimentKey", experimentKey), (key) =>
      Effect.request(new GetMetadata({ key }), metadataResolver)
    )

  const byKey = <A, I, B = A>(
    endpoint: string,
    schema: Schema.Schema<A, I, never>,
    experimentKey: string,
    extra: Params = NO_PARAMS,
    cacheable = false,
    project: (answer: A) => B = identity as (answer: A) => B
  ): Effect.Effect<B, CometError> => {
    // a key that is not given fails as `required` says; a given one goes out at once (no step for the check)
    if (experimentKey === undefined || experimentKey === null || experimentKey.trim().length === 0)
      return Effect.fail(missing("experimentKey", experimentKey))
    const key = experimentKey
    return Effect.flatMap(
      get(endpoint, schema, { experimentKey: key, ...extra }, cacheable),
      sameExperiment(endpoint, key, project)
    )
  }

  return { http, stats, settings, scope, get, byKey, getExperimentMetadata }
}
