/**
 * Where the command line writes: stdout (results, written with back-pressure so a large export
 * waits for a slow reader instead of filling memory) and stderr (errors, progress, the request
 * report), whether each is a terminal, and an Effect `Console` over the same streams for what
 * `@effect/cli` prints (help, usage errors). Tests give it in-memory streams.
 *
 * @since 0.1.0
 */
import { format, stripVTControlCharacters } from "node:util"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { OutputClosed } from "./Errors.js"
import { scrubber } from "./Redact.js"

/**
 * A stream the command line writes to: `process.stdout`, `process.stderr`, or any Node writable
 * (tests).
 *
 * @since 0.1.0
 */
export type OutputStream = NodeJS.WritableStream & {
  readonly isTTY?: boolean | undefined
  readonly columns?: number | undefined
}

/**
 * What the command line runs with: its output streams and environment variables.
 *
 * @since 0.1.0
 */
export interface IoOptions {
  readonly stdout: OutputStream
  readonly stderr: OutputStream
  /** Environment variables (`NO_COLOR`, `FORCE_COLOR`, `COMET_API_KEY` for redaction). */
  readonly env: Readonly<Record<string, string | undefined>>
  /** Secrets that must never be printed (the `--api-key` value); the environment's key is added. */
  readonly secrets?: ReadonlyArray<string> | undefined
}

/**
 * The output side of the command line.
 *
 * @since 0.1.0
 */
export interface IoShape {
  /** Write results to stdout; waits while the pipe is full; fails with OutputClosed when the reader is gone. */
  readonly out: (text: string) => Effect.Effect<void, OutputClosed>
  /** Write a message to stderr (secrets removed; a closed stderr is ignored). */
  readonly err: (text: string) => Effect.Effect<void>
  /** Whether stdout is a terminal. */
  readonly stdoutIsTTY: boolean
  /** Whether stderr is a terminal (progress bars are drawn only then). */
  readonly stderrIsTTY: boolean
  /** The raw stderr stream (for the progress bar). */
  readonly stderr: OutputStream
  /** Remove every secret, in any of its encodings, from a text. */
  readonly scrub: (text: string) => string
  /** An Effect Console writing to these streams (log → stdout, error → stderr). */
  readonly console: Console.Console
}

/**
 * The output side of the command line, as a service.
 *
 * @since 0.1.0
 */
export class Io extends Context.Tag("@comet-ts/cli/Io")<Io, IoShape>() {}

/** A writer with back-pressure that remembers when its stream failed or closed. */
const sink = (stream: OutputStream) => {
  let closed = false
  stream.on("error", () => {
    closed = true
  })
  const closedError = () => new OutputClosed({})
  const write = (text: string): Effect.Effect<void, OutputClosed> =>
    Effect.suspend(() => {
      if (closed) return Effect.fail(closedError())
      if (text.length === 0) return Effect.void
      if (stream.write(text)) return Effect.void
      return Effect.async<void, OutputClosed>((resume) => {
        const onDrain = () => {
          cleanup()
          resume(Effect.void)
        }
        const onGone = () => {
          closed = true
          cleanup()
          resume(Effect.fail(closedError()))
        }
        const cleanup = () => {
          stream.removeListener("drain", onDrain)
          stream.removeListener("error", onGone)
          stream.removeListener("close", onGone)
        }
        stream.once("drain", onDrain)
        stream.once("error", onGone)
        stream.once("close", onGone)
        return Effect.sync(cleanup)
      })
    })
  return write
}

/** The variables colour depends on, read once. */
interface ColorEnv {
  readonly noColor: string | undefined
  readonly forceColor: string | undefined
  readonly term: string | undefined
}

const colorAllowed = (isTTY: boolean, env: ColorEnv): boolean => {
  if (env.noColor !== undefined && env.noColor !== "") return false
  if (env.forceColor !== undefined && env.forceColor !== "" && env.forceColor !== "0") return true
  return isTTY && env.term !== "dumb"
}

/**
 * Build the service from streams and the environment.
 *
 * @since 0.1.0
 */
export const make = (options: IoOptions): IoShape => {
  // each option (and each variable read) read once: what was checked is what is used
  const { stdout, stderr, env, secrets } = options
  const colorEnv: ColorEnv = { noColor: env.NO_COLOR, forceColor: env.FORCE_COLOR, term: env.TERM }
  const scrub = scrubber([...(secrets ?? []), env.COMET_API_KEY ?? ""])
  const writeOut = sink(stdout)
  const writeErr = sink(stderr)
  const err = (text: string) => Effect.ignore(writeErr(scrub(text)))
  const stdoutIsTTY = stdout.isTTY === true
  const stderrIsTTY = stderr.isTTY === true
  const colorOut = colorAllowed(stdoutIsTTY, colorEnv)
  const colorErr = colorAllowed(stderrIsTTY, colorEnv)
  const line = (args: ReadonlyArray<unknown>, color: boolean) => {
    const text = scrub(format(...args))
    return `${color ? text : stripVTControlCharacters(text)}\n`
  }
  const log = (...args: ReadonlyArray<unknown>) => Effect.ignore(writeOut(line(args, colorOut)))
  const error = (...args: ReadonlyArray<unknown>) => Effect.ignore(writeErr(line(args, colorErr)))
  const now = (stream: OutputStream, text: string) => {
    try {
      stream.write(text)
    } catch {
      // A closed stream: nothing to do.
    }
  }
  const logNow = (...args: ReadonlyArray<unknown>) => now(stdout, line(args, colorOut))
  const errorNow = (...args: ReadonlyArray<unknown>) => now(stderr, line(args, colorErr))
  const unsafe: Console.UnsafeConsole = {
    assert: (condition, ...args) => {
      if (!condition) errorNow("Assertion failed:", ...args)
    },
    clear: () => {},
    count: () => {},
    countReset: () => {},
    debug: errorNow,
    dir: (item) => logNow(item),
    dirxml: logNow,
    error: errorNow,
    group: () => {},
    groupCollapsed: () => {},
    groupEnd: () => {},
    info: logNow,
    log: logNow,
    table: (data) => logNow(data),
    time: () => {},
    timeEnd: () => {},
    timeLog: () => {},
    trace: errorNow,
    warn: errorNow
  }
  const console: Console.Console = {
    [Console.TypeId]: Console.TypeId,
    assert: (condition, ...args) => (condition ? Effect.void : error("Assertion failed:", ...args)),
    clear: Effect.void,
    count: () => Effect.void,
    countReset: () => Effect.void,
    debug: error,
    dir: (item) => log(item),
    dirxml: log,
    error,
    group: () => Effect.void,
    groupEnd: Effect.void,
    info: log,
    log,
    table: (data) => log(data),
    time: () => Effect.void,
    timeEnd: () => Effect.void,
    timeLog: () => Effect.void,
    trace: error,
    warn: error,
    unsafe
  }
  return {
    out: writeOut,
    err,
    stdoutIsTTY,
    stderrIsTTY,
    stderr,
    scrub,
    console
  }
}

/**
 * The service as a Layer.
 *
 * @since 0.1.0
 */
export const layer = (options: IoOptions): Layer.Layer<Io> => Layer.sync(Io, () => make(options))
