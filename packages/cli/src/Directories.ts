/**
 * Creating the directories the command line writes into, one level at a time: each missing
 * ancestor is made with a plain (non-recursive) mkdir, so a path where a directory cannot exist
 * (under `/proc`, below a file, on a read-only mount) fails at once with a FileError naming it —
 * Node 20's recursive mkdir never settles under `/proc` (an endless ENOENT/EEXIST loop).
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import { FileError } from "./Errors.js"

/** What a directory that cannot be made is, in a user's words. */
const why = (reason: string, message: string): string =>
  reason === "NotFound"
    ? "its parent does not exist and cannot be created there"
    : reason === "PermissionDenied"
      ? "permission denied"
      : reason === "BadResource"
        ? "a file is in the way"
        : message

/**
 * Make `dir` and its missing parents (like `mkdir -p`, without recursive mkdir). Fails with a
 * FileError naming `dir` when a level cannot be made or a file is in the way.
 *
 * @since 0.1.0
 */
export const makeDirectories = (dir: string): Effect.Effect<void, FileError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const absolute = path.resolve(dir)
    const fail = (detail: string) => new FileError({ path: dir, operation: "create the directory", detail })
    const levels: Array<string> = []
    for (let at = absolute; ; at = path.dirname(at)) {
      levels.unshift(at)
      if (path.dirname(at) === at) break
    }
    for (const level of levels) {
      const info = yield* fs.stat(level).pipe(
        Effect.map((i) => i.type),
        Effect.catchAll((e) =>
          e._tag === "SystemError" && e.reason === "NotFound"
            ? Effect.succeed("missing" as const)
            : Effect.fail(fail(`${level}: ${why(e._tag === "SystemError" ? e.reason : "", e.message)}`))
        )
      )
      if (info === "Directory") continue
      if (info !== "missing") return yield* Effect.fail(fail(`${level} is not a directory`))
      yield* fs.makeDirectory(level).pipe(
        Effect.catchAll((e) =>
          // Another file of the same download made it meanwhile.
          e._tag === "SystemError" && e.reason === "AlreadyExists"
            ? fs.stat(level).pipe(
                Effect.mapError((s) => fail(`${level}: ${s.message}`)),
                Effect.flatMap((i) =>
                  i.type === "Directory" ? Effect.void : Effect.fail(fail(`${level} is not a directory`))
                )
              )
            : Effect.fail(fail(`cannot create ${level}: ${why(e._tag === "SystemError" ? e.reason : "", e.message)}`))
        )
      )
    }
  })
