/**
 * The `comet-ts` command: its subcommands (built on `@effect/cli`), and `run`, which runs one
 * command line against given streams and returns its exit code — the same path for the program
 * (`bin.ts`, with the process's streams) and for tests (in-memory streams, the emulator as the
 * HTTP client).
 *
 * @since 0.1.0
 */
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import { Connection, type ConnectionShape, defaultConnection } from "./Client.js"
import { download } from "./commands/Download.js"
import { gate } from "./commands/Gate.js"
import { columns, experiments, projects, workspaces } from "./commands/Lists.js"
import { metrics } from "./commands/Metrics.js"
import { ExitCode, outcomeOfCause } from "./ExitCodes.js"
import * as Io from "./Io.js"
import { VERSION } from "./Version.js"

/**
 * The command tree.
 *
 * @since 0.1.0
 */
export const command = Command.make("comet-ts").pipe(
  Command.withDescription(
    "Comet from the command line: list, query, export metrics, gate CI on results, download assets. Configured as comet_ml is: --api-key/--url, then COMET_API_KEY/COMET_URL_OVERRIDE, then ~/.comet.config. Exit codes: 0 ok, 1 gate not met, 2 usage or configuration (also an ambiguous experiment name), 3 key rejected, 4 not found, 5 network or server unavailable, 6 unusable server answer, 7 local file error, 70 internal error, 130 interrupted."
  ),
  Command.withSubcommands([workspaces, projects, experiments, columns, metrics, gate, download])
)

/** The subcommands' names. */
const COMMANDS = new Set<string>(HashMap.keys(Command.getSubcommands(command)))

const cli = Command.run(command, { name: "comet-ts", version: VERSION })

/**
 * What a run of the command line is given.
 *
 * @since 0.1.0
 */
export interface RunOptions extends Omit<Io.IoOptions, "secrets"> {
  /** Where configuration is read and the HTTP client (default: the process's, and `fetch`). */
  readonly connection?: Partial<ConnectionShape> | undefined
}

/** The values given to `--api-key` on the command line (redacted from every message). */
const keysInArgv = (argv: ReadonlyArray<string>): ReadonlyArray<string> =>
  argv.flatMap((arg, i) =>
    arg === "--api-key" ? [argv[i + 1] ?? ""] : arg.startsWith("--api-key=") ? [arg.slice("--api-key=".length)] : []
  )

/**
 * Run one command line (without the `node` and script arguments) and return its exit code (see
 * `ExitCodes`). Everything it prints goes to the given streams; a failure becomes one line on
 * stderr.
 *
 * @since 0.1.0
 */
export const run = (argv: ReadonlyArray<string>, options: RunOptions): Effect.Effect<number> =>
  Effect.gen(function* () {
    // the options read once (a spread reads each once): the connection is taken from that copy
    const { connection: given, ...streams } = options
    const io = Io.make({ ...streams, secrets: keysInArgv(argv) })
    const connection: ConnectionShape = { ...defaultConnection, ...given }
    const exit = yield* cli(["node", "comet-ts", ...argv]).pipe(
      Effect.provide(
        Layer.mergeAll(
          NodeContext.layer,
          Layer.succeed(Io.Io, io),
          Layer.succeed(Connection, connection),
          CliConfig.layer({ showBuiltIns: false })
        )
      ),
      Effect.withConsole(io.console),
      Effect.exit
    )
    if (Exit.isSuccess(exit)) return ExitCode.ok
    const outcome = outcomeOfCause(
      exit.cause,
      argv.find((a) => COMMANDS.has(a))
    )
    if (outcome.line !== null) yield* io.err(`${outcome.line}\n`)
    if (outcome.defect !== undefined && argv.includes("--verbose")) {
      yield* io.err(`${outcome.defect instanceof Error ? (outcome.defect.stack ?? "") : String(outcome.defect)}\n`)
    }
    return outcome.code
  })
