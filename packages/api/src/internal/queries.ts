/**
 * Queries: compile a query (value or Python-syntax text) against the project's columns (kept per
 * project for `columnsTtlMillis`, refetched when a query names a column they lack), send it
 * nested or as DNF terms (`orStrategy`), and resolve the matching keys to experiments with one
 * list call.
 *
 * @internal
 */
import {
  type Column,
  type CometError,
  DecodeError,
  type ExperimentMetadata,
  type ExperimentSummary,
  type Predicate,
  ProjectQueryResponse,
  type QueryError
} from "@comet-ts/core"
import { compile, compileTerms, isQuery, parse, type Query, queryVariables, usesOr } from "@comet-ts/query"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { type ApiContext, type ToExperiment, unique } from "./context.js"
import type { ExperimentMethods } from "./experiments.js"
import type { QueryOptions } from "./options.js"
import { required } from "./paths.js"
import type { CometApiShape } from "./service.js"

/** The methods this module gives `CometApi`. */
export type QueryMethods = Pick<CometApiShape, "query" | "queryProject" | "getQueryVariables">

/** What the queries need from the experiment lookups. */
export interface QueryDeps {
  readonly listExperiments: (
    workspace: string,
    projectName: string,
    archived: boolean
  ) => Effect.Effect<ReadonlyArray<ExperimentSummary>, CometError>
  readonly getProjectColumns: ExperimentMethods["getProjectColumns"]
}

/** Build the queries; `experimentsFor` (keys to experiments) is shared with the panel. */
/** Projects whose columns queries keep at most (the most recently fetched). */
export const COLUMNS_KEPT = 128

export const makeQueries = (ctx: ApiContext, deps: QueryDeps, toExperiment: ToExperiment) => {
  const { http, settings, getExperimentMetadata } = ctx
  const { listExperiments, getProjectColumns } = deps

  const queryKeys = (workspace: string, projectName: string, predicates: ReadonlyArray<Predicate>, archived: boolean) =>
    Effect.map(
      http.post(
        "project/query",
        { workspaceName: workspace, projectName, predicates, archived },
        ProjectQueryResponse,
        { readOnly: true }
      ),
      (r) => r.experimentKeys
    )

  /** Experiments for keys, from one list call; keys the list lacks are looked up one by one. */
  const experimentsFor = (workspace: string, projectName: string, keys: ReadonlyArray<string>, archived: boolean) =>
    Effect.gen(function* () {
      if (keys.length === 0) return []
      const list = yield* listExperiments(workspace, projectName, archived)
      const byKeyMap = new Map<string, ExperimentSummary>(list.map((e) => [e.experimentKey, e]))
      const missing = keys.filter((k) => !byKeyMap.has(k))
      const fetched = yield* Effect.forEach(unique(missing), getExperimentMetadata, {
        concurrency: "unbounded",
        batching: true
      })
      const byMissing = new Map<string, ExperimentMetadata>(fetched.map((m) => [m.experimentKey, m]))
      return yield* Effect.forEach(keys, (k) => {
        const found = byKeyMap.get(k) ?? byMissing.get(k)
        // (getExperimentMetadata refuses an answer about another experiment, so this is a guard)
        return found === undefined
          ? Effect.fail(
              new DecodeError({
                endpoint: "experiment/metadata",
                path: "experimentKey",
                detail: `no answer named the matched experiment ${JSON.stringify(k)}`,
                excerpt: "(not shown)"
              })
            )
          : Effect.succeed(toExperiment(found))
      })
    })

  /**
   * Queries compile against the project's columns. They are kept per project for
   * `columnsTtlMillis` (default 5 minutes; 0 turns this off) and fetched again when a query
   * names a column the kept list lacks or types differently, so a new column is never missed.
   */
  const columnsTtl = settings.columnsTtlMillis ?? 300_000
  // In the order they were fetched (a refetch moves a project to the end), so the expired ones
  // are at the front: each fetch drops them, and the oldest past COLUMNS_KEPT. A dashboard that
  // goes through every project of a large workspace for hours keeps a bounded few.
  const columnsKept = new Map<string, { readonly at: number; readonly columns: ReadonlyArray<Column> }>()

  const freshColumns = (workspace: string, projectName: string) =>
    Effect.gen(function* () {
      const columns = yield* getProjectColumns(workspace, projectName)
      if (columnsTtl > 0) {
        const now = yield* Clock.currentTimeMillis
        const id = JSON.stringify([workspace, projectName])
        columnsKept.delete(id)
        columnsKept.set(id, { at: now, columns })
        for (const [kept, entry] of columnsKept) {
          if (columnsKept.size <= COLUMNS_KEPT && now - entry.at < columnsTtl) break
          columnsKept.delete(kept)
        }
      }
      return columns
    })

  const withColumns = <A>(
    workspace: string,
    projectName: string,
    use: (columns: ReadonlyArray<Column>) => Either.Either<A, QueryError>
  ): Effect.Effect<A, CometError> =>
    Effect.gen(function* () {
      const kept = columnsKept.get(JSON.stringify([workspace, projectName]))
      const now = yield* Clock.currentTimeMillis
      if (kept === undefined || now - kept.at >= columnsTtl)
        return yield* use(yield* freshColumns(workspace, projectName))
      const first = use(kept.columns)
      if (Either.isLeft(first) && (first.left.reason === "unknown-column" || first.left.reason === "type-mismatch")) {
        return yield* use(yield* freshColumns(workspace, projectName))
      }
      return yield* first
    })

  const toQuery = (q: Query | string): Effect.Effect<Query, CometError> =>
    typeof q === "string" ? parse(q) : Effect.succeed(q)

  const query = (
    workspace: string | null | undefined,
    projectName: string | null | undefined,
    q: Query | string,
    options?: QueryOptions
  ) =>
    Effect.gen(function* () {
      const ws = yield* required("workspace", workspace)
      const proj = yield* required("projectName", projectName)
      const parsed = yield* toQuery(q)
      const archived = options?.archived ?? false
      const strategy = options?.orStrategy ?? settings.orStrategy ?? "nested"
      let keys: ReadonlyArray<string>
      if (strategy === "dnf" && usesOr(parsed)) {
        const terms = yield* withColumns(ws, proj, (columns) => compileTerms(parsed, columns))
        const perTerm = yield* Effect.forEach(terms, (preds) => queryKeys(ws, proj, preds, archived), {
          concurrency: "unbounded"
        })
        keys = unique(perTerm.flat())
      } else {
        keys = yield* queryKeys(ws, proj, yield* withColumns(ws, proj, (columns) => compile(parsed, columns)), archived)
      }
      return yield* experimentsFor(ws, proj, keys, archived)
    })

  const queryProject = (
    workspace: string | null | undefined,
    projectName: string | null | undefined,
    predicates: ReadonlyArray<Predicate> | Query,
    options?: { readonly archived?: boolean | undefined }
  ) =>
    Effect.gen(function* () {
      const ws = yield* required("workspace", workspace)
      const proj = yield* required("projectName", projectName)
      const wire = isQuery(predicates)
        ? yield* withColumns(ws, proj, (columns) => compile(predicates, columns))
        : predicates
      return yield* queryKeys(ws, proj, wire, options?.archived ?? false)
    })

  const getQueryVariables = (workspace?: string | null, projectName?: string | null, projectId?: string | null) =>
    Effect.map(getProjectColumns(workspace, projectName, projectId), queryVariables)

  const methods: QueryMethods = { query, queryProject, getQueryVariables }
  return { methods, experimentsFor }
}
