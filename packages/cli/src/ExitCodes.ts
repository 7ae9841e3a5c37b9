/**
 * The exit codes of `comet-ts` and the one place every failure becomes one readable line on
 * stderr: the cause, the fix in the command line's own terms (`--api-key`, `--url`), never a
 * stack trace for a user error, never the key.
 *
 * | code | meaning |
 * |---|---|
 * | 0 | success; the gate holds |
 * | 1 | the gate does not hold |
 * | 2 | usage or configuration: unknown command or option, bad value, invalid query, an experiment name that matches several, no API key, bad URL |
 * | 3 | the API key was rejected (401) or has no access (403) |
 * | 4 | not found: workspace, project, experiment, asset |
 * | 5 | network or server unavailable: unreachable, timed out, 5xx or 429 after retries |
 * | 6 | the server answered something this client cannot use (other 4xx, undecodable body, redirect) |
 * | 7 | a local file or directory could not be written |
 * | 70 | internal error (a bug: please report it) |
 * | 130 | interrupted (Ctrl-C) |
 *
 * @since 0.1.0
 */
import { isCometError } from "@comet-ts/core"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Cause from "effect/Cause"
import * as Option from "effect/Option"
import { FileError, GateNotMet, OutputClosed, UsageError } from "./Errors.js"
import { printable } from "./Output.js"

/**
 * The exit codes, by name.
 *
 * @since 0.1.0
 */
export const ExitCode = {
  ok: 0,
  gateNotMet: 1,
  usage: 2,
  auth: 3,
  notFound: 4,
  unavailable: 5,
  protocol: 6,
  localFile: 7,
  internal: 70,
  interrupted: 130
} as const

/**
 * How a failure ends the process: its exit code and the line printed on stderr (none when the
 * command already said everything, as a gate's verdict or a usage error printed by the parser).
 *
 * @since 0.1.0
 */
export interface Outcome {
  readonly code: number
  readonly line: string | null
}

/** The library's knobs, as the command line spells them. */
const knobs: ReadonlyArray<readonly [string, string]> = [
  ["Pass { apiKey }", "Pass --api-key KEY"],
  ["the apiKey option", "the --api-key option"],
  ["the base URL (COMET_URL_OVERRIDE)", "the server URL (--url, or COMET_URL_OVERRIDE)"],
  // a timeout names the one setting that bounds it (API calls or downloads)
  ["raise timeoutMs, or COMET_TIMEOUT_API in seconds", "raise COMET_TIMEOUT_API, in seconds"],
  [
    "raise downloadTimeoutMs, or COMET_TIMEOUT_FILE_DOWNLOAD in seconds",
    "raise COMET_TIMEOUT_FILE_DOWNLOAD, in seconds"
  ],
  ["The retries maxRetries allows were used up", "The retries allowed were used up"],
  [
    "Raise maxRetries (COMET_HTTP_SESSION_RETRY_TOTAL) or the http setting retryBudget",
    "Raise COMET_HTTP_SESSION_RETRY_TOTAL"
  ],
  ["raise maxRetries (COMET_HTTP_SESSION_RETRY_TOTAL)", "raise COMET_HTTP_SESSION_RETRY_TOTAL"],
  [" (the http setting retryBudget, default 2 minutes)", " (2 minutes)"],
  ["raise retryBudget to wait longer", "try again later"],
  [
    "lower maxConcurrency or set a client-side rate limit (rateLimit: { limit, intervalMs }) so fewer requests are refused",
    "lower COMET_TS_MAX_CONCURRENCY so fewer requests are refused"
  ],
  [
    "timeoutMs (COMET_TIMEOUT_API in seconds) for JSON calls, downloadTimeoutMs (COMET_TIMEOUT_FILE_DOWNLOAD in seconds) for asset downloads",
    "COMET_TIMEOUT_API (in seconds) for JSON calls, COMET_TIMEOUT_FILE_DOWNLOAD for downloads"
  ],
  ["timeoutMs (COMET_TIMEOUT_API in seconds; timeout in CometHttp.layer)", "COMET_TIMEOUT_API (in seconds)"],
  [
    "downloadTimeoutMs (COMET_TIMEOUT_FILE_DOWNLOAD in seconds; downloadTimeout in CometHttp.layer)",
    "COMET_TIMEOUT_FILE_DOWNLOAD (in seconds)"
  ],
  [
    "Lower maxConcurrency, set a client-side rate limit (rateLimit: { limit, intervalMs }; Comet allows about 15,000 REST requests per hour per key)",
    "Lower COMET_TS_MAX_CONCURRENCY (Comet allows about 15,000 REST requests per hour per key)"
  ],
  ["set allowInsecureHttp: true (COMET_TS_ALLOW_INSECURE_HTTP=1)", "set COMET_TS_ALLOW_INSECURE_HTTP=1"],
  ["problem with apiKey", "problem with --api-key"],
  ["problem with baseUrl", "problem with --url"],
  [
    "api.getQueryVariables(workspace, projectName) lists every variable of the project with its type (queryVariables(columns) from the project's columns)",
    "`comet-ts columns WS/PROJ` lists the project's columns, with their types"
  ],
  ["(api.getQueryVariables(workspace, projectName))", "(`comet-ts columns WS/PROJ`)"]
]

/** One line: no line breaks, no terminal control sequences (a hostile server's message cannot move the cursor). */
const oneLine = (text: string): string => printable(text, Number.POSITIVE_INFINITY).trim()

const inCliTerms = (message: string): string => knobs.reduce((m, [from, to]) => m.split(from).join(to), message)

const line = (message: string) => `comet-ts: ${oneLine(inCliTerms(message))}`

/**
 * The exit code and message line of a failure value (`command`: the subcommand that was run, for
 * the usage hint).
 *
 * @since 0.1.0
 */
export const outcomeOf = (error: unknown, command?: string): Outcome => {
  if (ValidationError.isValidationError(error)) {
    // @effect/cli printed the problem itself; point at the help.
    return {
      code: ExitCode.usage,
      line:
        command === undefined
          ? "comet-ts: run `comet-ts --help` (or `comet-ts COMMAND --help`) for usage."
          : `comet-ts: run \`comet-ts ${command} --help\` for usage.`
    }
  }
  if (isCometError(error)) {
    switch (error._tag) {
      case "ConfigurationError":
      case "InvalidArgument":
      case "QueryError":
      case "Ambiguous":
        return { code: ExitCode.usage, line: line(error.message) }
      case "Unauthorized":
        return { code: ExitCode.auth, line: line(error.message) }
      case "NotFound":
        return { code: ExitCode.notFound, line: line(error.message) }
      case "RateLimited":
      case "ServerError":
        return { code: ExitCode.unavailable, line: line(error.message) }
      case "TransportError":
        return {
          code:
            error.reason === "aborted"
              ? ExitCode.interrupted
              : error.reason === "redirect" || error.reason === "too-large"
                ? ExitCode.protocol
                : ExitCode.unavailable,
          line: line(error.message)
        }
      case "BadRequest":
      case "DecodeError":
        return { code: ExitCode.protocol, line: line(error.message) }
      default: {
        // A CometError this mapping does not know yet fails to compile here.
        const unmapped: never = error
        return { code: ExitCode.internal, line: line(String(unmapped)) }
      }
    }
  }
  if (error instanceof GateNotMet) return { code: ExitCode.gateNotMet, line: null }
  if (error instanceof OutputClosed) return { code: ExitCode.ok, line: null }
  if (error instanceof UsageError) return { code: ExitCode.usage, line: line(error.message) }
  if (error instanceof FileError) return { code: ExitCode.localFile, line: line(error.message) }
  return {
    code: ExitCode.internal,
    line: line(
      `internal error: ${error instanceof Error ? error.message : String(error)}. This is a bug in comet-ts: please report it (run with --verbose for the stack).`
    )
  }
}

/**
 * The outcome of a failed run's Cause: its first typed failure, else its first defect; an
 * interruption is exit code 130.
 *
 * @since 0.1.0
 */
export const outcomeOfCause = (
  cause: Cause.Cause<unknown>,
  command?: string
): Outcome & { readonly defect: unknown } => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return { ...outcomeOf(failure.value, command), defect: undefined }
  const defect = Cause.dieOption(cause)
  if (Option.isSome(defect)) return { ...outcomeOf(defect.value, command), defect: defect.value }
  return { code: ExitCode.interrupted, line: "comet-ts: interrupted.", defect: undefined }
}
