/**
 * `@comet-ts/cli`: the `comet-ts` command line (workspaces, projects, experiments, columns,
 * metrics, gate, download) over `@comet-ts/api`, and the pieces to run it in-process.
 *
 * @since 0.1.0
 */

/** The command tree and `run(argv, streams)`. @since 0.1.0 */
export { command, type RunOptions, run } from "./Cli.js"
/** How commands reach Comet. @since 0.1.0 */
export { Connection, type ConnectionShape } from "./Client.js"
/** The failures of the command line itself. @since 0.1.0 */
export { FileError, GateNotMet, OutputClosed, UsageError } from "./Errors.js"
/** Exit codes and the mapping of failures to them. @since 0.1.0 */
export { ExitCode, type Outcome, outcomeOf } from "./ExitCodes.js"
/** The output streams. @since 0.1.0 */
export * as Io from "./Io.js"
/** The package version. @since 0.1.0 */
export { VERSION } from "./Version.js"
