/**
 * How a command reaches Comet: the options every command takes (`--api-key`, `--url`,
 * `--verbose`), configured exactly as the library is (the options, then `COMET_*` environment
 * variables, then comet_ml's config files, by `@comet-ts/core`'s resolution), the `CometApi`
 * built from them for one command, and the request report printed on stderr with `--verbose`.
 *
 * @since 0.1.0
 */
import { CometApi, CometApiLayer } from "@comet-ts/api"
import { CometConfig, type ConfigSources, type ConfigurationError } from "@comet-ts/core"
import { CometHttp, type RequestStats } from "@comet-ts/http"
import * as DefaultTransport from "@comet-ts/http/DefaultTransport"
import * as Options from "@effect/cli/Options"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import { Io } from "./Io.js"

/**
 * What the command line connects with: where configuration is read from and the HTTP client.
 * The program uses the process's environment and files and the runtime's default transport
 * (undici in Node, with the machine's proxy and CA settings); tests give the emulator.
 *
 * @since 0.1.0
 */
export interface ConnectionShape {
  /** Where `COMET_*` variables and config files are read (default: the process's). */
  readonly sources?: ConfigSources | undefined
  /** An HTTP client to send through (default: the runtime's default transport, as the Promise facade). */
  readonly httpClient?: Layer.Layer<HttpClient.HttpClient> | undefined
}

/**
 * The connection settings, as a service.
 *
 * @since 0.1.0
 */
export class Connection extends Context.Tag("@comet-ts/cli/Connection")<Connection, ConnectionShape>() {}

/**
 * The default connection: the process's configuration, the default transport.
 *
 * @since 0.1.0
 */
export const defaultConnection: ConnectionShape = {}

/**
 * The options every command takes.
 *
 * @since 0.1.0
 */
export const commonOptions = {
  apiKey: Options.redacted("api-key").pipe(
    Options.withPseudoName("KEY"),
    Options.withDescription(
      "Comet API key. Default: COMET_API_KEY, then api_key in .comet.config (as comet_ml). Prefer the environment: options are visible to other users of the machine."
    ),
    Options.optional
  ),
  url: Options.text("url").pipe(
    Options.withPseudoName("URL"),
    Options.withDescription(
      "Comet server, e.g. https://www.comet.com (default: COMET_URL_OVERRIDE, then .comet.config)."
    ),
    Options.optional
  ),
  verbose: Options.boolean("verbose").pipe(
    Options.withDescription("Print the request report (requests per endpoint, retries, bytes, time) on stderr.")
  )
}

/**
 * The parsed common options.
 *
 * @since 0.1.0
 */
export interface CommonFlags {
  readonly apiKey: Option.Option<Redacted.Redacted<string>>
  readonly url: Option.Option<string>
  readonly verbose: boolean
}

/**
 * The `CometApi` (with its transport and request counters) for these flags and this connection.
 *
 * @since 0.1.0
 */
export const apiLayer = (flags: CommonFlags, connection: ConnectionShape) =>
  Layer.provideMerge(
    CometApiLayer.layerConfig,
    connection.httpClient === undefined
      ? CometHttp.layerConfigTransport().pipe(Layer.provide(DefaultTransport.layerConfig))
      : CometHttp.layerConfig.pipe(Layer.provide(connection.httpClient))
  ).pipe(
    Layer.provide(
      CometConfig.layer({
        apiKey: Option.getOrUndefined(flags.apiKey),
        baseUrl: Option.getOrUndefined(flags.url),
        sources: connection.sources
      })
    )
  )

/**
 * Run a program with the `CometApi` of these flags; with `--verbose`, print the request report
 * on stderr afterwards, whether the program succeeded or failed.
 *
 * @since 0.1.0
 */
export const withApi = <A, E, R>(
  flags: CommonFlags,
  program: Effect.Effect<A, E, R>
): Effect.Effect<A, E | ConfigurationError, Exclude<R, CometApi | CometHttp | RequestStats> | Io | Connection> =>
  Effect.gen(function* () {
    const connection = yield* Connection
    const io = yield* Io
    return yield* Effect.scoped(
      Effect.gen(function* () {
        const context = yield* Layer.build(apiLayer(flags, connection))
        const exit = yield* Effect.exit(Effect.provide(program, context))
        if (flags.verbose) {
          const report = yield* Context.get(context, CometApi).getPanelReport()
          yield* io.err(`${report.trimEnd()}\n`)
        }
        return yield* exit
      })
    )
  })
