/**
 * Testing support for code built on comet-ts: run `CometApi` over any `HttpClient` (for example
 * the emulator's in-process client, so tests need no server and no network), mock it method by
 * method, and give panel code a fixed `PanelContext`.
 *
 * ```ts
 * import { Testing, Panel, CometApi } from "@comet-ts/api"
 * import * as Emulator from "@comet-ts/emulator"
 *
 * const TestApi = Testing.layerClient(Emulator.layerClient({ dataset: Emulator.generate({ size: "small", seed: 1 }) }))
 * const TestPanel = Panel.layerTest({ experimentKeys: ["…"], workspace: "ws", projectName: "proj" })
 * myPanelProgram.pipe(Effect.provide(TestPanel), Effect.provide(TestApi))
 * ```
 *
 * @since 0.1.0
 */
import type { ConfigurationError } from "@comet-ts/core"
import * as Inputs from "@comet-ts/core/Inputs"
import { type CometHttp, type CometHttpSettings, layer as httpLayer, type RequestStats } from "@comet-ts/http"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { layer as apiLayer, CometApi, type CometApiSettings, type CometApiShape } from "./CometApi.js"
import { API_SETTING_NAMES, apiSettingsOf } from "./internal/arguments.js"

/**
 * Options of {@link layerClient}.
 *
 * @since 0.1.0
 */
export interface TestOptions extends CometApiSettings {
  /** The key sent to the server. Default `local-dev-key` (the emulator's default). */
  readonly apiKey?: string | undefined
  /** The server root. Default `http://127.0.0.1:4820`. */
  readonly baseUrl?: string | undefined
  /** Requests in flight at most. Default 8. */
  readonly maxConcurrency?: number | undefined
  /** Retries at most. Default 8. */
  readonly maxRetries?: number | undefined
  /** Transport settings; retries default to short delays (10 ms base, 200 ms cap) so tests stay fast. */
  readonly http?: CometHttpSettings | undefined
}

/**
 * `CometApi` (with its `CometHttp` and `RequestStats`) over the given `HttpClient` Layer; what
 * else that Layer provides (the emulator's service, say) stays available.
 *
 * @since 0.1.0
 */
export const layerClient = <ROut, E>(
  client: Layer.Layer<ROut | HttpClient.HttpClient, E>,
  options: TestOptions = {}
): Layer.Layer<CometApi | CometHttp | RequestStats | ROut | HttpClient.HttpClient, ConfigurationError | E> => {
  // a misspelt option (`baseURL`, `maxRetry`) would be dropped: refused, as every layer's are
  const unknown = Inputs.unknownSetting(options ?? {}, TEST_OPTION_NAMES, "Testing.layerClient", {
    ownOnly: true
  })
  return unknown !== null ? Layer.fail(unknown) : layerChecked(client, options ?? {})
}

/** The names of {@link TestOptions}, complete by type. */
const TEST_OPTION_NAMES: ReadonlyArray<string> = [
  ...API_SETTING_NAMES,
  ...Object.keys({
    apiKey: true,
    baseUrl: true,
    maxConcurrency: true,
    maxRetries: true,
    http: true
  } satisfies Record<Exclude<keyof TestOptions, keyof CometApiSettings>, true>)
]

const layerChecked = <ROut, E>(
  client: Layer.Layer<ROut | HttpClient.HttpClient, E>,
  options: TestOptions
): Layer.Layer<CometApi | CometHttp | RequestStats | ROut | HttpClient.HttpClient, ConfigurationError | E> =>
  Layer.provideMerge(
    apiLayer(apiSettingsOf(options)),
    httpLayer({
      apiKey: options.apiKey ?? "local-dev-key",
      baseUrl: options.baseUrl ?? "http://127.0.0.1:4820",
      maxConcurrency: options.maxConcurrency,
      maxRetries: options.maxRetries,
      retryBaseDelay: "10 millis",
      retryMaxDelay: "200 millis",
      ...options.http
    }).pipe(Layer.provideMerge(client))
  )

/**
 * A `CometApi` whose methods are the given ones; any other method dies with a message naming it
 * (a test that reaches it is calling something it did not expect).
 *
 * @since 0.1.0
 */
export const layerMock = (methods: Partial<CometApiShape>): Layer.Layer<CometApi> =>
  Layer.succeed(
    CometApi,
    new Proxy(methods as CometApiShape, {
      get: (target, property, receiver) => {
        if (Reflect.has(target, property)) return Reflect.get(target, property, receiver)
        if (property === "baseUrl") return "http://127.0.0.1:4820"
        return () => Effect.dieMessage(`CometApi.${String(property)} is not mocked in this test`)
      }
    })
  )
