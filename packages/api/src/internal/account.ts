/**
 * The API key's account (user name, default workspace) and the server's version.
 *
 * @internal
 */
import { AccountDetails } from "@comet-ts/core"
import * as Effect from "effect/Effect"
import { type ApiContext, notFound } from "./context.js"
import type { CometApiShape } from "./service.js"

/** The methods this module gives `CometApi`. */
export type AccountMethods = Pick<CometApiShape, "getAccountDetails" | "getDefaultWorkspace" | "getBackendVersion">

/** Build the account and server reads. */
export const makeAccount = (ctx: ApiContext): AccountMethods => {
  const { http, get } = ctx
  return {
    getAccountDetails: () => get("account-details", AccountDetails, {}),
    getDefaultWorkspace: () =>
      Effect.flatMap(get("account-details", AccountDetails, {}), (a) =>
        a.defaultWorkspaceName === null
          ? notFound("default workspace", a.userName, "account-details")
          : Effect.succeed(a.defaultWorkspaceName)
      ),
    getBackendVersion: () => Effect.map(http.backendVersion, (v) => v.version)
  }
}
