/**
 * The API key's account (user name, default workspace) and the server's version.
 *
 * @internal
 */
import { AccountDetails, NotFound } from "@comet-ts/core"
import { Effect } from "effect"
import type { ApiContext } from "./context.js"
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
          ? Effect.fail(
              new NotFound({
                resource: "default workspace",
                id: a.userName,
                endpoint: "account-details",
                serverMessage: null,
                sdkErrorCode: null
              })
            )
          : Effect.succeed(a.defaultWorkspaceName)
      ),
    getBackendVersion: () => Effect.map(http.backendVersion, (v) => v.version)
  }
}
