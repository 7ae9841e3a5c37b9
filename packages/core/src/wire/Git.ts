/**
 * Git metadata of an experiment (comet-rest-v2.md §3.9).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { nullable, present } from "./Common.js"

/**
 * `GET experiment/git/metadata` → `{ user, root, branch, parent, origin }`, each string or null
 * and each required (an answer without them is not git metadata); `experimentKey` is read
 * when present.
 *
 * @since 0.1.0
 */
export const GitMetadata = Schema.Struct({
  experimentKey: nullable(Schema.String),
  user: present(Schema.String),
  root: present(Schema.String),
  branch: present(Schema.String),
  parent: present(Schema.String),
  origin: present(Schema.String)
}).annotations({ identifier: "GitMetadata" })
/** @since 0.1.0 */
export type GitMetadata = typeof GitMetadata.Type
