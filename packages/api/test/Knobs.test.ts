/**
 * Error messages name knobs that exist. Every call a message tells the user to make
 * (`Panel.layer(...)`, `api.getQueryVariables(...)`, `new API(...)`, `compile()`) resolves to a
 * real export or facade method, and every option it names (`maxRetries`, `rateLimit`,
 * `maxBodyBytes`, `orStrategy`, …) is an option of the facade, the transport, the query package or
 * the configuration — checked over the messages of the errors users meet.
 */
import {
  CometConfig,
  type CometOptions,
  ConfigurationError,
  RateLimited,
  ServerError,
  TransportError,
  Unauthorized
} from "@comet-ts/core"
import { CometHttp, type CometHttpOptions, type CometHttpSettings, type RequestOptions } from "@comet-ts/http"
import * as Query from "@comet-ts/query"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { API, type APIOptions, Panel } from "../src/index.js"
import { Capture, emulator, facade } from "./support/facade.js"

// Every option name, so a message naming one can be checked (the compiler keeps these complete).
const apiOptions: { readonly [K in keyof Required<APIOptions>]: true } = {
  apiKey: true,
  baseUrl: true,
  timeoutMs: true,
  downloadTimeoutMs: true,
  maxConcurrency: true,
  maxRetries: true,
  rateLimit: true,
  allowInsecureHttp: true,
  proxy: true,
  workspace: true,
  projectName: true,
  sources: true,
  panel: true,
  httpClient: true,
  http: true,
  chartChunkSize: true,
  orStrategy: true,
  callTimeoutMs: true
}
const requestOptions: { readonly [K in keyof Required<RequestOptions>]: true } = {
  params: true,
  timeout: true,
  callTimeout: true,
  cacheable: true,
  readOnly: true
}
const layerOptions: { readonly [K in keyof Required<Omit<CometHttpOptions, keyof CometHttpSettings>>]: true } = {
  apiKey: true,
  baseUrl: true,
  timeout: true,
  downloadTimeout: true,
  maxConcurrency: true,
  maxRetries: true,
  rateLimit: true,
  allowInsecureHttp: true
}
const httpSettings: { readonly [K in keyof Required<CometHttpSettings>]: true } = {
  cache: true,
  retryBudget: true,
  retryBaseDelay: true,
  retryMaxDelay: true,
  maxBodyBytes: true,
  maxJsonBytes: true,
  rateLimitAlgorithm: true,
  manualRedirects: true
}
const queryOptions: { readonly [K in keyof Required<Query.CompileTermsOptions & Query.ParseOptions>]: true } = {
  maxDepth: true,
  maxTerms: true,
  maxLength: true
}
const rateLimitKeys: { readonly [K in keyof Required<NonNullable<CometOptions["rateLimit"]>>]: true } = {
  limit: true,
  intervalMs: true
}
const options = new Set([
  ...Object.keys(apiOptions),
  ...Object.keys(httpSettings),
  ...Object.keys(requestOptions),
  ...Object.keys(layerOptions),
  ...Object.keys(queryOptions),
  ...Object.keys(rateLimitKeys)
])

/** What a name before `(` or `.` in a message may refer to. */
const namespaces: Readonly<Record<string, object>> = {
  Panel,
  CometHttp,
  CometConfig,
  api: API.prototype
}
const functions = new Set([
  ...Object.keys(Query).filter((k) => typeof (Query as Record<string, unknown>)[k] === "function"),
  ...Object.getOwnPropertyNames(API.prototype)
])

/** Problems with the knobs one message names. */
const knobProblems = (message: string): ReadonlyArray<string> => {
  const problems: Array<string> = []
  for (const m of message.matchAll(/(new\s+)?\b([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?\((?!s\))/g)) {
    const [call, isNew, head, member] = m as unknown as [string, string | undefined, string, string | undefined]
    if (isNew !== undefined) {
      if (head !== "API") problems.push(`${call}: no such class`)
    } else if (member !== undefined) {
      const target = namespaces[head]
      if (target === undefined) problems.push(`${call}: ${head} is not an export`)
      else if (!(member in target)) problems.push(`${call}: ${head} has no ${member}`)
    } else if (!functions.has(head)) {
      problems.push(`${call}: ${head} is not a function of the packages`)
    }
  }
  for (const m of message.matchAll(
    /\b(max[A-Z]\w+|\w+Ms|rateLimit|allowInsecureHttp|orStrategy|intervalMs|retry[A-Z]\w+|\w+Timeout)\b/g
  )) {
    if (!options.has(m[1] as string)) problems.push(`option ${m[1]} does not exist`)
  }
  return problems
}

const messages = async (): Promise<ReadonlyArray<string>> => {
  const out: Array<string> = []
  // The panel's missing parts, in Effect code and through the facade.
  out.push(
    Effect.runSync(
      Effect.flip(Effect.flatMap(Panel.PanelContext, (p) => p.workspace)).pipe(
        Effect.provide(Panel.layerTest({ experimentKeys: [] }))
      )
    ).message
  )
  const api = facade(emulator().fetch, new Capture(), { panel: "env" })
  out.push(await api.getPanelWorkspace().then(String, (e: Error) => e.message))
  await api.close()
  // The query language's hints.
  const unknown = Query.compile(Query.Metric("zzz").gt(1), [])
  if (Either.isLeft(unknown)) out.push(unknown.left.message)
  const pairs = Array.from({ length: 6 }, (_, i) => Query.and(Query.Tag(`a${i}`), Query.Tag(`b${i}`)))
  const wide = Query.or(Query.Tag("z"), ...pairs)
  const tooMany = Query.compileTerms(Query.and(wide, wide), [])
  if (Either.isLeft(tooMany)) out.push(tooMany.left.message)
  const tooLong = Query.parse("Tag('x')", { maxLength: 2 })
  if (Either.isLeft(tooLong)) out.push(tooLong.left.message)
  // Configuration and transport errors.
  out.push(
    Effect.runSync(Effect.flip(CometConfig.resolve({ sources: CometConfig.staticSources({}) }))).message,
    new ConfigurationError({ setting: "x", reason: "y" }).message,
    new RateLimited({ endpoint: "workspaces", attempts: 9, retryAfterMillis: 1000, serverMessage: null }).message,
    new ServerError({ endpoint: "workspaces", status: 503, attempts: 9, serverMessage: null, sdkErrorCode: null })
      .message,
    new Unauthorized({ endpoint: "workspaces", status: 401, serverMessage: null, sdkErrorCode: null }).message
  )
  for (const reason of [
    "network",
    "timeout",
    "too-large",
    "redirect",
    "truncated",
    "aborted",
    "closed",
    "deadline"
  ] as const) {
    out.push(new TransportError({ endpoint: "workspaces", reason, detail: "d", attempts: 1 }).message)
  }
  // Each limit that can end the retries, and each setting that can bound a timeout.
  for (const stoppedBy of ["maxRetries", "retryBudget", "callTimeout"] as const) {
    out.push(
      new RateLimited({ endpoint: "workspaces", attempts: 3, retryAfterMillis: 1000, serverMessage: null, stoppedBy })
        .message,
      new RateLimited({ endpoint: "workspaces", attempts: 0, retryAfterMillis: 1000, serverMessage: null, stoppedBy })
        .message,
      new ServerError({
        endpoint: "workspaces",
        status: 503,
        attempts: 3,
        serverMessage: null,
        sdkErrorCode: null,
        stoppedBy
      }).message,
      new TransportError({ endpoint: "workspaces", reason: "network", detail: "d", attempts: 3, stoppedBy }).message
    )
  }
  for (const setting of ["timeoutMs", "downloadTimeoutMs", "timeout"]) {
    out.push(
      new TransportError({ endpoint: "workspaces", reason: "timeout", detail: "d", attempts: 1, setting }).message
    )
  }
  return out
}

describe("error messages name knobs that exist", () => {
  it("every call and option named in the messages users meet is real", async () => {
    const all = await messages()
    assert.isAtLeast(all.length, 14)
    assert.include(all[0], "Panel.layer(")
    assert.include(all[2], "api.getQueryVariables(workspace, projectName)")
    assert.include(all[3], 'orStrategy "nested"')
    assert.deepStrictEqual(
      all.flatMap((m) => knobProblems(m).map((p) => `${p} — in: ${m}`)),
      []
    )
  })

  it("the checker itself catches a wrong knob", () => {
    assert.isNotEmpty(knobProblems("Provide it (PanelContext.layer({ ... }))"))
    assert.isNotEmpty(knobProblems("queryVariables2(columns) lists them"))
    assert.isNotEmpty(knobProblems("raise maxWidgets"))
    assert.isEmpty(knobProblems("new API({ panel }) or Panel.layer({ ... }) or api.getQueryVariables(ws)"))
  })
})
