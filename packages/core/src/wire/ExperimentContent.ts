/**
 * Single-key experiment reads: tags, code, output, graph, html (comet-rest-v2.md §3.1, §3.3).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { present } from "./Common.js"

/**
 * `GET experiment/tags` → `{ tags: [...] }`.
 *
 * @since 0.1.0
 */
export const Tags = Schema.Struct({ tags: Schema.Array(Schema.String) }).annotations({ identifier: "Tags" })
/** @since 0.1.0 */
export type Tags = typeof Tags.Type

/**
 * `GET experiment/code` → `{ code }`. The key is required (the Python SDK reads
 * `results["code"]`); its value may be null.
 *
 * @since 0.1.0
 */
export const Code = Schema.Struct({ code: present(Schema.String) }).annotations({ identifier: "Code" })
/** @since 0.1.0 */
export type Code = typeof Code.Type

/**
 * `GET experiment/output` → `{ output }` (stdout and stderr, concatenated). The key is
 * required; its value may be null.
 *
 * @since 0.1.0
 */
export const Output = Schema.Struct({ output: present(Schema.String) }).annotations({ identifier: "Output" })
/** @since 0.1.0 */
export type Output = typeof Output.Type

/**
 * `GET experiment/graph` → `{ graph }` (a string, often JSON text, echoed as logged). The key
 * is required; its value may be null.
 *
 * @since 0.1.0
 */
export const Graph = Schema.Struct({ graph: present(Schema.String) }).annotations({ identifier: "Graph" })
/** @since 0.1.0 */
export type Graph = typeof Graph.Type

/**
 * `GET experiment/html` → `{ html }`. The key is required; its value may be null.
 *
 * @since 0.1.0
 */
export const Html = Schema.Struct({ html: present(Schema.String) }).annotations({ identifier: "Html" })
/** @since 0.1.0 */
export type Html = typeof Html.Type

/**
 * Legacy `GET experiment/installed-packages` → `{ packages: [...] }` (comet-rest-v2.md §3.8).
 *
 * @since 0.1.0
 */
export const InstalledPackages = /* @__PURE__ */ Schema.Struct({ packages: Schema.Array(Schema.String) }).annotations({
  identifier: "InstalledPackages"
})
/** @since 0.1.0 */
export type InstalledPackages = typeof InstalledPackages.Type
