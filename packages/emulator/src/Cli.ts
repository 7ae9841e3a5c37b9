/**
 * The emulator's command line:
 *
 * ```
 * pnpm emulator [--host 127.0.0.1] [--port 4820] [--api-key KEY]
 *               [--dataset FILE | --generate small|medium|large] [--seed N]
 *               [--latency MS[~JITTER]] [--faults SPEC] [--backend-version X.Y.Z]
 *               [--cors ORIGIN]... [--export FILE]
 * ```
 *
 * Prints exactly one line, `comet emulator listening on http://HOST:PORT`, once the server
 * accepts connections; binds loopback by default; shuts down cleanly on SIGINT and SIGTERM.
 * `--export FILE` writes the dataset as JSON and exits instead of serving.
 *
 * @since 0.1.0
 */
import { parseArgs as nodeParseArgs } from "node:util"
import { ConfigurationError, InvalidArgument } from "@comet-ts/core"
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { type Dataset, encodeDataset, loadDataset } from "./Dataset.js"
import { faultConfig, layerServer } from "./Emulator.js"
import { type DatasetSize, generate } from "./Generator.js"
import { parseOrigins } from "./internal/cors.js"

/**
 * Parsed command-line options.
 *
 * @since 0.1.0
 */
export interface CliOptions {
  readonly host: string
  readonly port: number
  readonly apiKey: string | undefined
  readonly dataset: { readonly file: string } | { readonly generate: DatasetSize }
  readonly seed: number
  readonly latency: string | undefined
  readonly faults: string | undefined
  readonly backendVersion: string | undefined
  /** Browser origins allowed to call the emulator (`--cors`, repeated or comma-separated), normalised. */
  readonly cors: ReadonlyArray<string>
  readonly export: string | undefined
  readonly help: boolean
}

/**
 * The usage text.
 *
 * @since 0.1.0
 */
export const usage = `Usage: comet-emulator [options]   (in the comet-ts repository: pnpm emulator [options])

  --host HOST             interface to bind (default 127.0.0.1, loopback only)
  --port PORT             port (default 4820; 0 picks a free one)
  --api-key KEY           the main user's API key (default local-dev-key)
  --dataset FILE          serve a dataset JSON file
  --generate SIZE         serve a generated dataset: small (default), medium, large
  --seed N                seed of the generated data, faults and jitter (default 1)
  --latency MS[~JITTER]   latency added to every request
  --faults SPEC           e.g. 429:0.2,503:0.1,reset:0.05,truncate:0.05@experiment/*,retry-after=2
  --backend-version V     what /clientlib/isAlive/ver reports (default 4.3.385)
  --cors ORIGIN           let a browser page on ORIGIN call the emulator, e.g. http://localhost:5173
                          (repeat it or give a comma list for several; never *)
  --export FILE           write the dataset as JSON to FILE and exit
  --help                  this text
`

const bad = (argument: string, value: string, reason: string) => new InvalidArgument({ argument, value, reason })

/**
 * Parse the command line (without the node and script arguments).
 *
 * @since 0.1.0
 */
export const parseArgs = (argv: ReadonlyArray<string>): Either.Either<CliOptions, InvalidArgument> => {
  let parsed: ReturnType<typeof nodeParseArgs<{ options: typeof spec; strict: true; allowPositionals: false }>>
  const spec = {
    host: { type: "string" },
    port: { type: "string" },
    "api-key": { type: "string" },
    dataset: { type: "string" },
    generate: { type: "string" },
    seed: { type: "string" },
    latency: { type: "string" },
    faults: { type: "string" },
    "backend-version": { type: "string" },
    cors: { type: "string", multiple: true },
    export: { type: "string" },
    help: { type: "boolean" }
  } as const
  try {
    parsed = nodeParseArgs({ args: [...argv], options: spec, strict: true, allowPositionals: false })
  } catch (e) {
    return Either.left(bad("arguments", argv.join(" "), e instanceof Error ? e.message : String(e)))
  }
  const v = parsed.values
  // Decimal digits only: Number() reads "" (an unset shell variable) as 0, a free port, and
  // "0x10" or "1e3" as other numbers than the ones written.
  const port = v.port === undefined ? 4820 : /^\d{1,5}$/.test(v.port) ? Number(v.port) : Number.NaN
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return Either.left(bad("--port", v.port ?? "", "must be a decimal integer from 0 to 65535 (0 picks a free port)"))
  const seed = v.seed === undefined ? 1 : /^-?\d{1,16}$/.test(v.seed) ? Number(v.seed) : Number.NaN
  if (!Number.isSafeInteger(seed)) return Either.left(bad("--seed", v.seed ?? "", "must be a decimal integer"))
  // An empty host makes Node listen on every interface, not loopback, and prints "http://:PORT".
  if (v.host !== undefined && !/^\S+$/.test(v.host))
    return Either.left(
      bad(
        "--host",
        v.host,
        "must be a host name or address with no white space, e.g. 127.0.0.1 (0.0.0.0 for every interface)"
      )
    )
  // An empty file name (an unset shell variable) is a usage error, not a file that cannot be opened.
  for (const flag of ["dataset", "export"] as const)
    if (v[flag] === "") return Either.left(bad(`--${flag}`, "", "must name a file"))
  if (v.dataset !== undefined && v.generate !== undefined)
    return Either.left(bad("--dataset", v.dataset, "give either --dataset or --generate, not both"))
  const size = v.generate ?? "small"
  if (size !== "small" && size !== "medium" && size !== "large")
    return Either.left(bad("--generate", size, "must be small, medium or large"))
  if (v["api-key"] !== undefined && !/^\S+$/.test(v["api-key"]))
    return Either.left(bad("--api-key", "(hidden)", "must be non-empty with no white space"))
  if (v["backend-version"] !== undefined && !/^\d+\.\d+\.\d+$/.test(v["backend-version"]))
    return Either.left(bad("--backend-version", v["backend-version"], "must be X.Y.Z"))
  const cors = parseOrigins(v.cors)
  if (Either.isLeft(cors)) return Either.left(cors.left)
  const options: CliOptions = {
    host: v.host ?? "127.0.0.1",
    port,
    apiKey: v["api-key"],
    dataset: v.dataset !== undefined ? { file: v.dataset } : { generate: size },
    seed,
    latency: v.latency,
    faults: v.faults,
    backendVersion: v["backend-version"],
    cors: cors.right,
    export: v.export,
    help: v.help === true
  }
  const checked = faultConfig({ faults: options.faults, latency: options.latency })
  return Either.isLeft(checked) ? Either.left(checked.left) : Either.right(options)
}

/** The Node error code of a failed `listen` (`EADDRINUSE`, …), when there is one. */
const errorCode = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string"
    ? cause.code
    : undefined

/**
 * Why the emulator cannot listen on `host:port`, with the flag that fixes it.
 *
 * @since 0.1.0
 */
export const listenError = (host: string, port: number, cause: unknown): ConfigurationError => {
  const where = `${host.includes(":") ? `[${host}]` : host}:${port}`
  const code = errorCode(cause)
  const detail = cause instanceof Error && cause.message !== "" ? cause.message : String(cause)
  switch (code) {
    case "EADDRINUSE":
      return new ConfigurationError({
        setting: "--port",
        reason: `EADDRINUSE: port ${port} on ${host} is in use (another emulator?); pick another with --port N, or --port 0 for a free one`
      })
    case "EADDRNOTAVAIL":
      return new ConfigurationError({
        setting: "--host",
        reason: `EADDRNOTAVAIL: ${host} is not an address of this machine, so nothing can listen on ${where}; use --host 127.0.0.1 (or 0.0.0.0 for every interface)`
      })
    case "EACCES":
    case "EPERM":
      return new ConfigurationError({
        setting: "--port",
        reason: `${code}: not allowed to listen on ${where} (ports below 1024 need privileges); use --port 4820, or --port 0 for a free one`
      })
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new ConfigurationError({
        setting: "--host",
        reason: `${code}: the host name ${host} does not resolve; use --host 127.0.0.1 or an address of this machine`
      })
    default:
      return new ConfigurationError({
        setting: "--host/--port",
        reason: `cannot listen on ${where}: ${code === undefined ? detail : `${code}: ${detail}`}`
      })
  }
}

/** A failure as one readable line: its message, or its tag and cause when the message is empty. */
const describeFailure = (e: unknown): string => {
  if (e instanceof Error && e.message !== "") return e.message
  if (typeof e === "object" && e !== null && "_tag" in e) {
    const cause = "cause" in e ? e.cause : undefined
    return `${String(e._tag)}${cause === undefined ? "" : `: ${cause instanceof Error ? cause.message : String(cause)}`}`
  }
  return String(e) === "" ? "failed for an unknown reason (please report it)" : String(e)
}

const datasetOf = (options: CliOptions): Effect.Effect<Dataset, ConfigurationError, FileSystem.FileSystem> =>
  "file" in options.dataset
    ? loadDataset(options.dataset.file)
    : Effect.sync(() =>
        generate({
          size: (options.dataset as { generate: DatasetSize }).generate,
          seed: options.seed,
          apiKey: options.apiKey
        })
      )

/**
 * Run the emulator until interrupted (or export the dataset).
 *
 * @since 0.1.0
 */
export const program = (
  options: CliOptions
): Effect.Effect<void, InvalidArgument | ConfigurationError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    if (options.help) return yield* Console.log(usage)
    const dataset = yield* datasetOf(options)
    if (options.export !== undefined) {
      const fs = yield* FileSystem.FileSystem
      yield* fs
        .writeFileString(options.export, JSON.stringify(encodeDataset(dataset)))
        .pipe(
          Effect.mapError(
            (e) =>
              new ConfigurationError({ setting: "--export", reason: `cannot write ${options.export}: ${e.message}` })
          )
        )
      return
    }
    const server = layerServer({
      dataset,
      apiKey: options.apiKey,
      seed: options.seed,
      latency: options.latency,
      faults: options.faults,
      backendVersion: options.backendVersion,
      cors: options.cors,
      host: options.host,
      port: options.port
    })
    yield* Effect.gen(function* () {
      const address = (yield* HttpServer.HttpServer).address
      const port = address._tag === "TcpAddress" ? address.port : options.port
      const host = options.host.includes(":") ? `[${options.host}]` : options.host
      yield* Console.log(`comet emulator listening on http://${host}:${port}`)
      return yield* Effect.never
    }).pipe(
      Effect.provide(server),
      Effect.catchTag("ServeError", (e) => Effect.fail(listenError(options.host, options.port, e.cause)))
    )
  })

/**
 * The CLI entry point: parse, run, exit non-zero with a message on bad arguments.
 *
 * @since 0.1.0
 */
export const main = (argv: ReadonlyArray<string>): void => {
  const parsed = parseArgs(argv)
  if (Either.isLeft(parsed)) {
    process.stderr.write(`${parsed.left.message}\n\n${usage}`)
    process.exitCode = 2
    return
  }
  const run = program(parsed.right).pipe(
    Effect.catchAll((e) =>
      Effect.sync(() => {
        process.stderr.write(`comet emulator: ${describeFailure(e)}\n`)
        process.exitCode = 1
      })
    ),
    Effect.provide(NodeContext.layer)
  )
  NodeRuntime.runMain(run, { disableErrorReporting: false })
}
