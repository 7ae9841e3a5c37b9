/**
 * The `WS/PROJ` argument of the project commands, checked before any request is sent.
 *
 * @since 0.1.0
 */
import { InvalidArgument } from "@comet-ts/core"
import * as Effect from "effect/Effect"

/**
 * A workspace and project named on the command line.
 *
 * @since 0.1.0
 */
export interface ProjectTarget {
  readonly workspace: string
  readonly projectName: string
}

/**
 * Split `WS/PROJ`; anything else (a missing part, more parts, blank parts) is an
 * `InvalidArgument` that shows the expected form.
 *
 * @since 0.1.0
 */
export const parseProject = (text: string): Effect.Effect<ProjectTarget, InvalidArgument> => {
  const parts = text.split("/")
  const [workspace, projectName] = parts.map((p) => p.trim())
  if (
    parts.length === 2 &&
    workspace !== undefined &&
    projectName !== undefined &&
    workspace !== "" &&
    projectName !== ""
  ) {
    return Effect.succeed({ workspace, projectName })
  }
  return Effect.fail(
    new InvalidArgument({
      argument: "WS/PROJ",
      value: text,
      reason: "write the workspace and the project separated by one slash, like local-dev/mnist-sweep."
    })
  )
}
