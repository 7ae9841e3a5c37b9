/**
 * A process-wide set of secret strings (API keys) that must never appear in error messages,
 * `toString()` output or JSON. Config resolution registers every key it resolves; error
 * messages are scrubbed against the set as a last line of defence, on top of the scrubbing done
 * where errors are built.
 *
 * @internal
 */
const secrets = new Set<string>()

/** The text written in place of a secret. */
export const REDACTED = "<redacted>"

/** @internal */
export const registerSecret = (secret: string): void => {
  // Very short strings would scrub ordinary words out of messages; real keys are long.
  if (secret.length >= 4) secrets.add(secret)
}

const scrubOne = (text: string, secret: string): string => {
  if (secret.length === 0 || !text.includes(secret)) return text
  const masked = text.split(secret).join(REDACTED)
  if (!masked.includes(secret)) return masked
  // The mask itself recreated the secret (a secret overlapping "<redacted>"): delete instead.
  // Each pass shortens the text, so this ends.
  let out = text
  while (out.includes(secret)) out = out.split(secret).join("")
  return out
}

/** @internal */
export const scrub = (text: string, extra?: string): string => {
  let out = extra === undefined ? text : scrubOne(text, extra)
  for (const secret of secrets) out = scrubOne(out, secret)
  return out
}
