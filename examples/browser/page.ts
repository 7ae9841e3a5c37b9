// The page calls its own origin; proxy.mjs adds the API key on the server. The key is in no
// line of this file, in no bundle and never in the browser.
import { API, isCometError } from "@comet-ts/api"

const api = new API({
  baseUrl: window.location.origin,
  apiKey: "added-by-the-proxy", // a placeholder: the proxy replaces the Authorization header
  panel: false
})
const list = document.querySelector("#workspaces")
const status = document.querySelector("#status")
try {
  const workspaces = await api.getWorkspaces()
  for (const name of workspaces) list?.append(Object.assign(document.createElement("li"), { textContent: name }))
  if (status) status.textContent = workspaces.length === 0 ? "This key sees no workspace." : "ok"
} catch (error) {
  // A typed CometError: `_tag` says which, `message` says what to do.
  if (status) status.textContent = isCometError(error) ? `${error._tag}: ${error.message}` : String(error)
} finally {
  await api.close()
}
