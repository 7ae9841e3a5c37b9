/**
 * Keeping the API key out of everything the command line prints: a scrubber that removes a
 * secret as written, URL-encoded, JSON-escaped and in any letter case. What `@effect/cli`
 * echoes back (a usage error quoting an argument) and every error line and report go through it.
 * A part of a key (8 or more consecutive characters of it: a key pasted into another flag, cut
 * by an excerpt) is masked too.
 *
 * @since 0.1.0
 */
import * as Secrets from "@comet-ts/core/Secrets"

/**
 * The text written in place of a secret.
 *
 * @since 0.1.0
 */
export const REDACTED = "<redacted>"

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * A function removing each of `secrets` (ignoring those shorter than 4 characters, which would
 * remove ordinary words) from a text.
 *
 * @since 0.1.0
 */
export const scrubber = (secrets: ReadonlyArray<string>): ((text: string) => string) => {
  const forms = new Set<string>()
  for (const raw of secrets) {
    const secret = raw.trim()
    if (secret.length < 4) continue
    forms.add(secret)
    forms.add(encodeURIComponent(secret))
    forms.add(JSON.stringify(secret).slice(1, -1))
  }
  const keys = secrets.map((raw) => raw.trim()).filter((secret) => secret.length >= 4)
  if (forms.size === 0) return (text) => text
  // Longest first, so an encoded form is not half-replaced by a shorter one.
  const pattern = new RegExp(
    [...forms]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join("|"),
    "gi"
  )
  const whole = (text: string): string => {
    const masked = text.replace(pattern, REDACTED)
    if (masked.search(pattern) < 0) return masked
    // The mask recreated a secret with its neighbours: delete instead (each pass shortens the text).
    let out = text
    while (out.search(pattern) >= 0) out = out.replace(pattern, "")
    return out
  }
  return (text) => Secrets.scrubPieces(whole(text), keys)
}
