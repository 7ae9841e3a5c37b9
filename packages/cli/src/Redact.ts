/**
 * Keeping the API key out of everything the command line prints: a scrubber that removes a
 * secret as written, URL-encoded, JSON-escaped and in any letter case. What `@effect/cli`
 * echoes back (a usage error quoting an argument) and every error line and report go through it.
 *
 * @since 0.1.0
 */

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
  if (forms.size === 0) return (text) => text
  // Longest first, so an encoded form is not half-replaced by a shorter one.
  const pattern = new RegExp(
    [...forms]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join("|"),
    "gi"
  )
  return (text) => {
    const masked = text.replace(pattern, REDACTED)
    if (masked.search(pattern) < 0) return masked
    // The mask recreated a secret with its neighbours: delete instead (each pass shortens the text).
    let out = text
    while (out.search(pattern) >= 0) out = out.replace(pattern, "")
    return out
  }
}
