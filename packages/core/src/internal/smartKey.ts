/**
 * comet_ml's "smart" API keys (comet_ml 3.58.8, `comet_ml/api_key/comet_api_key.py` and
 * `config_api.get_api_key`): `<key>*<base64 of a JSON object>`, whose `baseUrl` names the
 * self-hosted server the key belongs to. comet_ml sends the whole text, `*` and attributes
 * included, in `Authorization` (`CometApiKey.api_key` is the raw key; only a key ending in a
 * bare `*` loses it), and uses `baseUrl` as the server unless `COMET_URL_OVERRIDE` is set.
 *
 * @internal
 */

/** What a key says: the text to send, the short key, and the server it names, if any. */
export interface ParsedKey {
  /** What goes in `Authorization` (as comet_ml: the whole key). */
  readonly header: string
  /** The part before `*` (also never to be shown). */
  readonly short: string
  /** The `baseUrl` attribute, when there is one. */
  readonly baseUrl: string | null
}

/** Why a key cannot be used. */
export type KeyProblem = { readonly problem: string }

/** Base64 as Python's `base64.b64decode(validate=True)` after comet_ml's padding fix. */
const decodeBase64 = (data: string): string | null => {
  let text = data
  const missing = text.length % 4
  if (missing !== 0 && text.endsWith("=")) text = text.replace(/=/g, "")
  const m = text.length % 4
  if (m !== 0) text += "=".repeat(4 - m)
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null
  try {
    const binary = atob(text)
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0))
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch {
    return null
  }
}

/** Parse a key as comet_ml does; a problem says what is wrong without showing the key. */
export const parseKey = (raw: string): ParsedKey | KeyProblem => {
  const parts = raw.split("*")
  if (parts.length === 1) return { header: raw, short: raw, baseUrl: null }
  if (parts.length > 2) {
    return {
      problem: `the API key has ${parts.length - 1} '*' separators; a Comet key has at most one (<key>*<attributes>).`
    }
  }
  const [short = "", attributes = ""] = parts
  if (attributes.length === 0) return { header: short, short, baseUrl: null }
  const json = decodeBase64(attributes)
  if (json === null) {
    return { problem: "the part of the API key after '*' is not valid base64; copy the whole key again from Comet." }
  }
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return { problem: "the part of the API key after '*' is not base64 of JSON; copy the whole key again from Comet." }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      problem: "the part of the API key after '*' is not base64 of a JSON object; copy the whole key again from Comet."
    }
  }
  const baseUrl: unknown = Reflect.get(value, "baseUrl")
  if (baseUrl !== undefined && baseUrl !== null && typeof baseUrl !== "string") {
    return { problem: "the API key's baseUrl attribute is not a string." }
  }
  return { header: raw, short, baseUrl: typeof baseUrl === "string" && baseUrl.trim().length > 0 ? baseUrl : null }
}
