/**
 * A process-wide set of secret strings (API keys) that must never appear in error messages,
 * `toString()` output or JSON — in any form. Every `CometConfig` and `CometHttp` layer registers its key;
 * error messages are scrubbed against the set as a last line of defence, on top of the
 * scrubbing done where errors are built.
 *
 * A hostile server, proxy or redirect can echo a key transformed: case-folded (a host name built
 * from it, lowercased by `URL`), JSON-escaped (`\u0073…`, `\/`), percent-encoded (once or
 * twice), as HTML entities, base64 (standard or URL-safe, at any alignment inside a larger
 * encoded text) or hex. {@link scrub} finds every such form: it decodes the escapes of the
 * text into a lowercase "canonical" copy that remembers where each character came from,
 * searches that copy for each secret (and its base64 and hex encodings), and masks the
 * original text over every span found.
 *
 * A secret is registered while something holds it ({@link holdSecret}: the scope of a
 * `CometConfig` or `CometHttp` layer, so one `API` instance from construction to `close()`), and
 * dropped when the last holder lets go: a process that serves many keys over its life (one
 * `API` per user of a dashboard) keeps only the keys in use, and scrubbing costs no more with
 * time.
 *
 * @internal
 */
interface Held {
  readonly forms: ReadonlyArray<string>
  holders: number
}

const secrets = new Map<string, Held>()

/** The text written in place of a secret. */
export const REDACTED = "<redacted>"

/** Secrets shorter than this are not scrubbed: they would scrub ordinary words out of messages; real keys are long. */
const MIN_SECRET = 4
/** Encoded forms (base64, hex) shorter than this are not searched for, for the same reason. */
const MIN_FORM = 6

const lowerAscii = (s: string): string => s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32))

/** Standard base64 of bytes (with padding). */
const base64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes))

/**
 * Every form of a secret to search for in a canonical (unescaped, lowercased) text: the secret
 * itself, its hex, and the part of its base64 that depends on its bytes only, at each of the
 * three alignments it can have inside a longer encoded text (standard and URL-safe alphabets).
 */
export const secretForms = (secret: string): ReadonlyArray<string> => {
  const bytes = new TextEncoder().encode(secret)
  // the secret as written, and as it reads once its own escape-like characters are decoded
  const forms = new Set<string>([lowerAscii(secret)])
  const decoded = decodedForm(secret)
  if (decoded.length >= MIN_SECRET) forms.add(decoded)
  let hex = ""
  for (const b of bytes) hex += b.toString(16).padStart(2, "0")
  if (hex.length >= MIN_FORM) forms.add(hex)
  for (let offset = 0; offset < 3; offset++) {
    const padded = new Uint8Array(offset + bytes.length)
    padded.set(bytes, offset)
    const encoded = base64(padded)
    // base64 character i carries bits [6i, 6i + 6): keep those that come from the secret only.
    const core = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6))
    if (core.length >= MIN_FORM) {
      forms.add(lowerAscii(core))
      forms.add(lowerAscii(core.replace(/\+/g, "-").replace(/\//g, "_")))
    }
  }
  return [...forms]
}

/**
 * Register `secret` for scrubbing until the returned release is called (once; later calls do
 * nothing). Holds are counted: the secret stays registered while any holder has not released it.
 *
 * @internal
 */
export const holdSecret = (secret: string): (() => void) => {
  if (secret.length < MIN_SECRET) return () => {}
  const held = secrets.get(secret)
  if (held === undefined) secrets.set(secret, { forms: secretForms(secret), holders: 1 })
  else held.holders++
  let released = false
  return () => {
    if (released) return
    released = true
    const now = secrets.get(secret)
    if (now === undefined) return
    if (now.holders <= 1) secrets.delete(secret)
    else now.holders--
  }
}

/**
 * How many secrets are registered now (for tests of the registry's bound).
 *
 * @internal
 */
export const registeredSecrets = (): number => secrets.size

const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)

const hexAt = (text: string, i: number, n: number): number | null => {
  if (i + n > text.length) return null
  for (let k = 0; k < n; k++) if (!isHex(text.charCodeAt(i + k))) return null
  return Number.parseInt(text.slice(i, i + n), 16)
}

const NAMED: Readonly<Record<string, string>> = { quot: '"', amp: "&", lt: "<", gt: ">", apos: "'", sol: "/" }

/** One decoded character of a text: the character and the length of the source it came from. */
type Decoded = readonly [char: string, length: number]

/** JSON's and JavaScript's one-character escapes. */
const SINGLE: Readonly<Record<string, string>> = {
  "\\": "\\",
  '"': '"',
  "'": "'",
  "/": "/",
  n: "\n",
  r: "\r",
  t: "\t",
  b: "\b",
  f: "\f"
}

/** A backslash escape at `i`: `\uXXXX`, `\u{X…}`, `\xXX`, or one of {@link SINGLE}. */
const backslashAt = (text: string, i: number): Decoded | null => {
  const c = text[i + 1]
  if (c === undefined) return null
  if (c === "u" || c === "U") {
    const four = hexAt(text, i + 2, 4)
    if (four !== null) return [String.fromCharCode(four), 6]
    if (text[i + 2] === "{") {
      const close = text.indexOf("}", i + 3)
      if (close > i + 3 && close - i <= 10) {
        const cp = hexAt(text, i + 3, close - i - 3)
        if (cp !== null && cp <= 0x10ffff) return [String.fromCodePoint(cp), close + 1 - i]
      }
    }
    return null
  }
  if (c === "x" || c === "X") {
    const two = hexAt(text, i + 2, 2)
    return two === null ? null : [String.fromCharCode(two), 4]
  }
  const single = SINGLE[c]
  return single === undefined ? null : [single, 2]
}

/** A percent escape at `i`: `%XX` of an ASCII byte (one layer; a doubly encoded one takes two rounds). */
const percentAt = (text: string, i: number): Decoded | null => {
  const byte = hexAt(text, i + 1, 2)
  return byte === null || byte > 0x7f ? null : [String.fromCharCode(byte), 3]
}

/** An HTML character reference at `i`: `&#115;`, `&#x73;`, `&quot;`, … */
const entityAt = (text: string, i: number): Decoded | null => {
  const m = /^&(?:#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6})|([A-Za-z]{2,6}));/.exec(text.slice(i, i + 12))
  if (m === null) return null
  const cp = m[1] !== undefined ? Number(m[1]) : m[2] !== undefined ? Number.parseInt(m[2], 16) : null
  if (cp !== null) return cp <= 0x10ffff ? [String.fromCodePoint(cp), m[0].length] : null
  const named = NAMED[(m[3] ?? "").toLowerCase()]
  return named === undefined ? null : [named, m[0].length]
}

/** A text with escapes decoded and ASCII letters lowercased; `from[k]`/`to[k]`: the source span of character `k`. */
interface Canonical {
  readonly text: string
  readonly from: ReadonlyArray<number>
  readonly to: ReadonlyArray<number>
}

/** One round of decoding: every escape decoded once, ASCII letters lowercased. */
/** Which escapes a round decodes: backslash escapes, percent escapes, HTML references. */
type Kinds = readonly [backslash: boolean, percent: boolean, entity: boolean]

const ALL: Kinds = [true, true, true]

const decodeRound = (text: string, [backslash, percent, entity]: Kinds = ALL): Canonical => {
  let out = ""
  const from: Array<number> = []
  const to: Array<number> = []
  let i = 0
  while (i < text.length) {
    const code = text.charCodeAt(i)
    const decoded =
      code === 92 && backslash
        ? backslashAt(text, i)
        : code === 37 && percent
          ? percentAt(text, i)
          : code === 38 && entity
            ? entityAt(text, i)
            : null
    const [char, length] = decoded ?? [text[i] as string, 1]
    for (let k = 0; k < char.length; k++) {
      out += lowerAscii(char[k] as string)
      from.push(i)
      to.push(i + length)
    }
    i += length
  }
  return { text: out, from, to }
}

/** How many times escapes are decoded (an escape of an escape of an escape …). */
const ROUNDS = 4

/**
 * The canonical copies of a text: its escapes decoded round after round (so an escape of an
 * escape, like a percent-encoded `\u0073` or a doubly JSON-encoded one, is decoded too), each
 * round's copy kept (a later round may decode too much: `\"` made of a key's trailing backslash
 * and a quote), with each character mapped back to the span of the original text it came from.
 */
const canonicals = (text: string): ReadonlyArray<Canonical> => {
  let c = decodeRound(text)
  const out = [c]
  for (let round = 1; round < ROUNDS && /[\\%&]/.test(c.text); round++) {
    const next = decodeRound(c.text)
    if (next.text === c.text) break
    const prev = c
    c = {
      text: next.text,
      from: next.from.map((k) => prev.from[k] as number),
      to: next.to.map((k) => prev.to[k - 1] as number)
    }
    out.push(c)
  }
  // One kind of escape at a time, too: a key's own backslash before a quote must not be read
  // as an escape when the text around it is percent- or HTML-escaped.
  for (const kinds of ONE_KIND) out.push(decodeRound(text, kinds))
  return out
}

const ONE_KIND: ReadonlyArray<Kinds> = [
  [true, false, false],
  [false, true, false],
  [false, false, true]
]

/** A secret's own form once fully decoded (every round, every kind). */
const decodedForm = (text: string): string => {
  let c = decodeRound(text)
  for (let round = 1; round < ROUNDS; round++) {
    const next = decodeRound(c.text)
    if (next.text === c.text) break
    c = next
  }
  return c.text
}

/** Spans sorted, overlapping and touching ones merged. */
const merged = (spans: Array<[number, number]>): Array<[number, number]> => {
  spans.sort((a, b) => a[0] - b[0])
  const out: Array<[number, number]> = []
  for (const s of spans) {
    const last = out[out.length - 1]
    if (last !== undefined && s[0] <= last[1]) last[1] = Math.max(last[1], s[1])
    else out.push([s[0], s[1]])
  }
  return out
}

/** The spans of the original text where any form of a secret appears, merged. */
const spansOf = (text: string, formsList: ReadonlyArray<ReadonlyArray<string>>): Array<[number, number]> => {
  const lower = lowerAscii(text)
  const decoded = /[\\%&]/.test(text) ? canonicals(text) : []
  const spans: Array<[number, number]> = []
  for (const forms of formsList) {
    for (const form of forms) {
      // as written (case-folded) …
      for (let at = lower.indexOf(form); at >= 0; at = lower.indexOf(form, at + 1)) spans.push([at, at + form.length])
      // … and with the text's escapes decoded, round after round
      for (const c of decoded) {
        for (let at = c.text.indexOf(form); at >= 0; at = c.text.indexOf(form, at + 1)) {
          spans.push([c.from[at] as number, c.to[at + form.length - 1] as number])
        }
      }
    }
  }
  return merged(spans)
}

const mask = (text: string, spans: ReadonlyArray<readonly [number, number]>, by: string): string => {
  let out = ""
  let at = 0
  for (const [start, end] of spans) {
    out += text.slice(at, start) + by
    at = end
  }
  return out + text.slice(at)
}

/** Whether a text may hold an encoded or case-folded form at all (cheap check before the full one). */
const formsIn = (text: string, formsList: ReadonlyArray<ReadonlyArray<string>>): boolean => {
  if (/[\\%&]/.test(text)) return true
  const lower = lowerAscii(text)
  return formsList.some((forms) => forms.some((f) => lower.includes(f)))
}

/**
 * The text with every form of the registered secrets (and of `extra`) replaced by
 * {@link REDACTED}. When masking recreates a secret (one that overlaps `<redacted>` with its
 * neighbours), the spans are deleted instead, until none is left; each pass shortens the text,
 * so this ends.
 *
 * @internal
 */
export const scrub = (text: string, extra?: string): string => {
  const formsList: Array<ReadonlyArray<string>> = []
  for (const held of secrets.values()) formsList.push(held.forms)
  if (extra !== undefined && extra.length > 0 && !secrets.has(extra)) formsList.push(secretForms(extra))
  if (formsList.length === 0 || text.length === 0 || !formsIn(text, formsList)) return text
  return maskAll(text, (t) => spansOf(t, formsList))
}

/**
 * The text with the spans `find` finds replaced by {@link REDACTED}; deleted instead while
 * masking recreates what it finds (each pass shortens the text, so this ends).
 */
const maskAll = (text: string, find: (text: string) => ReadonlyArray<readonly [number, number]>): string => {
  let spans = find(text)
  if (spans.length === 0) return text
  let out = mask(text, spans, REDACTED)
  spans = find(out)
  while (spans.length > 0) {
    out = mask(out, spans, "")
    spans = find(out)
  }
  return out
}

/**
 * The shortest run of consecutive characters of a key that an error built from user-supplied
 * values may not show: a key set under another setting by mistake may be quoted cut (a prefix,
 * an excerpt's length limit), with text around it, or in another case.
 */
export const FRAGMENT = 8

/** Every run of {@link FRAGMENT} consecutive characters of each key, as it reads case-folded and decoded. */
const fragmentsOf = (keys: Iterable<string>): ReadonlySet<string> => {
  const grams = new Set<string>()
  for (const key of keys) {
    for (const form of new Set([lowerAscii(key), decodedForm(key)])) {
      for (let i = 0; i + FRAGMENT <= form.length; i++) grams.add(form.slice(i, i + FRAGMENT))
    }
  }
  return grams
}

const NONE: Kinds = [false, false, false]

/** The spans of the original text holding a run of a key's characters (in any case, escapes decoded), merged. */
const fragmentSpans = (text: string, grams: ReadonlySet<string>): Array<[number, number]> => {
  const spans: Array<[number, number]> = []
  const copies = /[\\%&]/.test(text) ? [decodeRound(text, NONE), ...canonicals(text)] : [decodeRound(text, NONE)]
  for (const c of copies) {
    for (let at = 0; at + FRAGMENT <= c.text.length; at++) {
      if (grams.has(c.text.slice(at, at + FRAGMENT))) {
        spans.push([c.from[at] as number, c.to[at + FRAGMENT - 1] as number])
      }
    }
  }
  return merged(spans)
}

/**
 * {@link scrub}, then every run of {@link FRAGMENT} or more consecutive characters of the held
 * secrets and of `extra` (case-insensitive, escapes decoded: percent, backslash, HTML) replaced
 * by {@link REDACTED} ({@link maskAll}): for error texts built from user-supplied values
 * (configuration and option errors), where a key given in the wrong place may be quoted in part.
 *
 * @internal
 */
export const scrubFragments = (text: string, extra: ReadonlyArray<string> = []): string => {
  const out = extra.reduce((t, key) => (key.length > 0 ? scrub(t, key) : t), scrub(text))
  const grams = fragmentsOf([...secrets.keys(), ...extra])
  return grams.size === 0 || out.length < FRAGMENT ? out : maskAll(out, (t) => fragmentSpans(t, grams))
}

/**
 * The longest text one secret's forms can take in the original text (an escape per character,
 * with backslashes or percent layers doubled), for cutting texts without cutting a form.
 *
 * @internal
 */
export const longestForm = (extra?: string): number => {
  let longest = extra?.length ?? 0
  for (const s of secrets.keys()) longest = Math.max(longest, s.length)
  return longest * 20 + 64
}

/**
 * {@link scrubFragments} of a text a server sent (a body excerpt, Comet's `msg`): a hostile
 * server or proxy may echo a key cut, so no run of {@link FRAGMENT} of its characters is shown.
 *
 * @internal
 */
export const scrubEcho = (text: string, apiKey?: string): string =>
  scrubFragments(text, apiKey === undefined ? [] : [apiKey])
