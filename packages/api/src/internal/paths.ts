/**
 * The `"workspace/project/experiment"` path form the Python SDK accepts, split exactly as it
 * does (`str.split("/", 1)` twice, so an experiment name may itself contain slashes), with
 * malformed paths reported as InvalidArgument instead of Python's SyntaxError.
 *
 * @internal
 */
import { InvalidArgument } from "@comet-ts/core"
import * as Effect from "effect/Effect"

/** @internal */
export interface Location {
  readonly workspace: string | undefined
  readonly projectName: string | undefined
  readonly experiment: string | undefined
}

const splitOnce = (s: string): readonly [string, string | undefined] => {
  const i = s.indexOf("/")
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)]
}

const describe = (l: Location) => [l.workspace, l.projectName, l.experiment].filter((x) => x !== undefined).join("/")

/**
 * Resolve `get(workspace?, projectName?, experiment?)` arguments, any of which may carry
 * slashes.
 *
 * @internal
 */
export const resolveLocation = (
  workspace: string | undefined,
  projectName: string | undefined,
  experiment: string | undefined
): Effect.Effect<Location, InvalidArgument> =>
  Effect.suspend(() => {
    let ws = workspace
    let proj = projectName
    let exp = experiment
    const raw = describe({ workspace, projectName, experiment })
    if (ws?.includes("/")) {
      if (proj !== undefined) {
        return Effect.fail(
          new InvalidArgument({
            argument: "workspace",
            value: ws,
            reason: "a workspace given as a 'workspace/project' path cannot be combined with a projectName argument."
          })
        )
      }
      ;[ws, proj] = splitOnce(ws)
    }
    if (proj?.includes("/")) {
      if (exp !== undefined) {
        return Effect.fail(
          new InvalidArgument({
            argument: "projectName",
            value: proj,
            reason: "a project given as a 'project/experiment' path cannot be combined with an experiment argument."
          })
        )
      }
      ;[proj, exp] = splitOnce(proj)
    }
    const parts: ReadonlyArray<readonly [string, string | undefined]> = [
      ["workspace", ws],
      ["project name", proj],
      ["experiment", exp]
    ]
    for (const [label, value] of parts) {
      if (value !== undefined && value.trim().length === 0) {
        return Effect.fail(
          new InvalidArgument({
            argument: "path",
            value: raw,
            reason: `the ${label} part is empty. Write it as "workspace/project/experiment" with no empty parts.`
          })
        )
      }
    }
    if (ws === undefined && (proj !== undefined || exp !== undefined)) {
      return Effect.fail(
        new InvalidArgument({ argument: "workspace", value: raw, reason: "a project needs its workspace." })
      )
    }
    if (proj === undefined && exp !== undefined) {
      return Effect.fail(
        new InvalidArgument({ argument: "projectName", value: raw, reason: "an experiment needs its project." })
      )
    }
    return Effect.succeed({ workspace: ws, projectName: proj, experiment: exp })
  })

/**
 * A required, non-empty string argument.
 *
 * @internal
 */
export const required = (argument: string, value: string | null | undefined): Effect.Effect<string, InvalidArgument> =>
  value === undefined || value === null || value.trim().length === 0
    ? Effect.fail(missing(argument, value))
    : Effect.succeed(value)

/** The InvalidArgument of a required text that is missing. */
export const missing = (argument: string, value: string | null | undefined): InvalidArgument =>
  new InvalidArgument({
    argument,
    value: value ?? "",
    reason: `${argument} is required and cannot be empty.`
  })
