/**
 * Git metadata of an experiment (comet-rest-v2.md §3.9).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { nullable } from "./Common.js"

/**
 * `GET experiment/git/metadata` → `{ user, root, branch, parent, origin }`, each string or null.
 *
 * @since 0.1.0
 */
export const GitMetadata = Schema.Struct({
  experimentKey: nullable(Schema.String),
  user: nullable(Schema.String),
  root: nullable(Schema.String),
  branch: nullable(Schema.String),
  parent: nullable(Schema.String),
  origin: nullable(Schema.String)
}).annotations({ identifier: "GitMetadata" })
/** @since 0.1.0 */
export type GitMetadata = typeof GitMetadata.Type
