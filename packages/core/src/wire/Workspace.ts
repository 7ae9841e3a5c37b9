/**
 * Workspaces and account details (comet-rest-v2.md §2.1–§2.2).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { present } from "./Common.js"

/**
 * `GET workspaces` → `{ workspaceNames: [...] }`.
 *
 * @since 0.1.0
 */
export const WorkspaceList = Schema.Struct({ workspaceNames: Schema.Array(Schema.String) }).annotations({
  identifier: "WorkspaceList"
})
/** @since 0.1.0 */
export type WorkspaceList = typeof WorkspaceList.Type

/**
 * `GET account-details` → `{ userName, defaultWorkspaceName }` (both keys required; the
 * workspace may be null).
 *
 * @since 0.1.0
 */
export const AccountDetails = Schema.Struct({
  userName: Schema.String,
  defaultWorkspaceName: present(Schema.String)
}).annotations({ identifier: "AccountDetails" })
/** @since 0.1.0 */
export type AccountDetails = typeof AccountDetails.Type
