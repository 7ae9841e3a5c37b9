/**
 * The `PanelContext` service: its tag and shape (the panel's experiment keys, options, project
 * and workspace). Re-exported by `PanelContext.ts`, whose layers build it through `CometApi`.
 *
 * @internal
 */
import type { CometError } from "@comet-ts/core"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"

/**
 * The panel's scope, as resolved by a PanelContext layer.
 *
 * @since 0.1.0
 */
export interface PanelContextShape {
  /** The experiment keys in scope (explicit, the query's matches, or the project's experiments). */
  readonly experimentKeys: Effect.Effect<ReadonlyArray<string>, CometError>
  /** Whether the keys were given explicitly (true) or derived from the project (false). */
  readonly explicitKeys: boolean
  /** The panel's options (the Options tab's JSON). */
  readonly options: Readonly<Record<string, unknown>>
  /** The project id (looked up from workspace and project name when not given). */
  readonly projectId: Effect.Effect<string, CometError>
  /** The project name. */
  readonly projectName: Effect.Effect<string, CometError>
  /** The workspace. */
  readonly workspace: Effect.Effect<string, CometError>
}

/**
 * The panel's scope as an Effect service.
 *
 * @since 0.1.0
 */
export class PanelContext extends Context.Tag("@comet-ts/api/PanelContext")<PanelContext, PanelContextShape>() {}
