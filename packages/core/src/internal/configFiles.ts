/**
 * Parsers for the Python SDK's config files: the INI `.comet.config` and `./.env`.
 *
 * @internal
 */

const unquote = (raw: string): string => {
  const v = raw.trim()
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) {
    return v.slice(1, -1)
  }
  // An inline comment starts at " #" or " ;" in an unquoted value.
  const m = /\s[#;]/.exec(v)
  return m === null ? v : v.slice(0, m.index).trimEnd()
}

/**
 * Parse an INI file into environment-variable names: key `k` of section `[s]` becomes
 * `S_K` (so `[comet] api_key` is `COMET_API_KEY` and `[comet_timeout] api` is
 * `COMET_TIMEOUT_API`), as the Python SDK maps its settings.
 *
 * @internal
 */
export const parseIni = (text: string): Map<string, string> => {
  const out = new Map<string, string>()
  let section: string | undefined
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim()
    if (line.length === 0 || line.startsWith("#") || line.startsWith(";")) continue
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line)
    if (header !== null) {
      section = header[1]
      continue
    }
    const eq = line.search(/[=:]/)
    if (eq <= 0 || section === undefined) continue
    const key = line.slice(0, eq).trim()
    const value = unquote(line.slice(eq + 1))
    out.set(`${section}_${key}`.toUpperCase().replace(/[.\s-]/g, "_"), value)
  }
  return out
}

/**
 * Parse a `.env` file (`KEY=value`, optional `export `, quotes, `#` comments).
 *
 * @internal
 */
export const parseDotEnv = (text: string): Map<string, string> => {
  const out = new Map<string, string>()
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim()
    if (line.length === 0 || line.startsWith("#")) continue
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line)
    if (m === null) continue
    const [, key, value] = m
    if (key !== undefined && value !== undefined) out.set(key, unquote(value))
  }
  return out
}
