/**
 * The key in any form (issue 13, kind 9): `Secrets.scrub` removes the key as written,
 * case-folded, JSON-escaped, percent-encoded, HTML-escaped, base64 (at any alignment, standard or
 * URL-safe) and hex, also when only some characters are escaped; errors built from answers that
 * echo it so carry none of it; and a key with an invisible or non-ASCII character is a
 * ConfigurationError before any request — property tests over key alphabets and transformations.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Exit, Layer, Redacted, Scope } from "effect"
import fc from "fast-check"
import * as Core from "../src/index.js"
import { registeredSecrets } from "../src/internal/secrets.js"

const scrub = (text: string, key?: string) => Core.Secrets.scrub(text, key)
const checkApiKey = (key: unknown, source: string) => Core.Secrets.checkApiKey(key, source)

// ---------------------------------------------------------------- key alphabets
const alnum = fc.stringMatching(/^[A-Za-z0-9]{20,40}$/)
const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/)
const printable = fc.stringMatching(/^[\x21-\x7e]{12,40}$/)
const secretRef = fc.stringMatching(/^[A-Za-z0-9]{16,24}$/).map((s) => `_SECRET_-${s}`)
const keys = fc.oneof(alnum, hex32, printable, secretRef)

// ---------------------------------------------------------------- transformations (written independently of the implementation)
const hex2 = (c: string, upper: boolean) => {
  const h = c.charCodeAt(0).toString(16).padStart(2, "0")
  return upper ? h.toUpperCase() : h
}
const u4 = (c: string, upper: boolean) => {
  const h = c.charCodeAt(0).toString(16).padStart(4, "0")
  return `\\u${upper ? h.toUpperCase() : h}`
}

/** A transformation of the key and the strings that must not survive scrubbing. */
type Transform = (
  key: string,
  pick: ReadonlyArray<boolean>
) => { readonly text: string; readonly gone: ReadonlyArray<string> }

/**
 * Some characters (those `pick` marks) written with `f`, the others as the encoder writes them
 * (`plain`: a JSON encoder writes a backslash as `\\`, a URL encoder `%` as `%25`).
 */
const each = (
  key: string,
  pick: ReadonlyArray<boolean>,
  f: (c: string) => string,
  plain: (c: string) => string = (c) => c
) => [...key].map((c, i) => (pick[i % pick.length] === true ? f(c) : plain(c))).join("")

const jsonPlain = (c: string) => (c === "\\" || c === '"' ? `\\${c}` : c)
const urlPlain = (c: string) => (c === "%" ? "%25" : c)
const htmlPlain = (c: string) => (c === "&" ? "&amp;" : c)

const base64Core = (bytes: Buffer, offset: number, url: boolean): string => {
  const padded = Buffer.concat([Buffer.alloc(offset, 0x41), bytes])
  const full = padded.toString(url ? "base64url" : "base64")
  return full.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6))
}

const transforms: Readonly<Record<string, Transform>> = {
  literal: (k) => ({ text: k, gone: [k] }),
  lowercase: (k) => ({ text: k.toLowerCase(), gone: [k.toLowerCase()] }),
  uppercase: (k) => ({ text: k.toUpperCase(), gone: [k.toUpperCase()] }),
  "JSON \\u escapes (some characters)": (k, pick) => {
    const t = each(k, pick, (c) => u4(c, pick[0] === true), jsonPlain)
    return { text: t, gone: [t] }
  },
  "JSON \\u escape of the first character only": (k) => {
    const t = `${u4(k[0] as string, false)}${[...k.slice(1)].map(jsonPlain).join("")}`
    return { text: t, gone: [t] }
  },
  "doubly JSON-escaped": (k, pick) => {
    const t = JSON.stringify(each(k, pick, (c) => u4(c, false), jsonPlain)).slice(1, -1)
    return { text: t, gone: [t] }
  },
  "JSON.stringify of the key": (k) => {
    const t = JSON.stringify(k)
    return { text: t, gone: [t.slice(1, -1)] }
  },
  "percent-encoded (some characters)": (k, pick) => {
    const t = each(k, pick, (c) => `%${hex2(c, pick[1] === true)}`, urlPlain)
    return { text: t, gone: [t] }
  },
  "percent-encoded twice": (k) => {
    const t = [...k].map((c) => `%25${hex2(c, true)}`).join("")
    return { text: t, gone: [t] }
  },
  "encodeURIComponent of a JSON-escaped key": (k) => {
    const t = encodeURIComponent([...k].map((c) => u4(c, false)).join(""))
    return { text: t, gone: [t] }
  },
  "HTML entities": (k, pick) => {
    const t = each(k, pick, (c) => (pick[2] === true ? `&#${c.charCodeAt(0)};` : `&#x${hex2(c, false)};`), htmlPlain)
    return { text: t, gone: [t] }
  },
  "base64 at any alignment": (k, pick) => {
    const offset = pick.filter(Boolean).length % 3
    const bytes = Buffer.from(k, "utf8")
    const t = Buffer.concat([Buffer.alloc(offset, 0x20), bytes, Buffer.from("!")]).toString("base64")
    return { text: t, gone: [base64Core(bytes, offset, false)] }
  },
  "base64url at any alignment": (k, pick) => {
    const offset = (pick.filter(Boolean).length + 1) % 3
    const bytes = Buffer.from(k, "utf8")
    const t = Buffer.concat([Buffer.from("x".repeat(offset)), bytes]).toString("base64url")
    return { text: t, gone: [base64Core(bytes, offset, true)] }
  },
  "hex, either case": (k, pick) => {
    const t = Buffer.from(k, "utf8").toString("hex")
    const h = pick[0] === true ? t.toUpperCase() : t
    return { text: h, gone: [h] }
  }
}

const around = fc.stringMatching(/^[a-z ,.:"{}=]{0,30}$/)
const picks = fc.array(fc.boolean(), { minLength: 1, maxLength: 8 })

describe("Secrets.scrub: the key in any form", () => {
  for (const [name, transform] of Object.entries(transforms)) {
    it(`${name}: gone from any text around it`, () => {
      fc.assert(
        fc.property(keys, picks, around, around, (key, pick, before, after) => {
          const { text, gone } = transform(key, pick)
          const out = scrub(`${before}${text}${after}`, key)
          return (
            gone.every((g) => !out.includes(g)) &&
            !out.toLowerCase().includes(key.toLowerCase()) &&
            out.includes("<redacted>")
          )
        }),
        { numRuns: 150 }
      )
    })
  }

  it("a host name built from the key, case-folded by URL", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{20,40}$/), (key) => {
        const where = new URL(`https://${key}.evil.example/steal`).origin
        return where.includes(key.toLowerCase()) && !scrub(where, key).toLowerCase().includes(key.toLowerCase())
      })
    )
  })

  it("leaves text without the key as it is", () => {
    fc.assert(
      fc.property(alnum, fc.stringMatching(/^[a-z ,.%&\\-]{0,80}$/), (key, text) => {
        fc.pre(!text.toLowerCase().includes(key.toLowerCase()))
        return scrub(text, key) === text
      })
    )
  })

  it("the key of a CometConfig layer is scrubbed from every error, in every form, while the layer is open", () => {
    fc.assert(
      fc.property(alnum, picks, (key, pick) =>
        Effect.runSync(
          Effect.scoped(
            Effect.map(
              Layer.build(Core.CometConfig.layer({ apiKey: key, sources: Core.CometConfig.staticSources({}) })),
              () =>
                Object.values(transforms).every((t) => {
                  const { text, gone } = t(key, pick)
                  const errors = [
                    new Core.DecodeError({ endpoint: "x", path: "", detail: text, excerpt: text }),
                    new Core.NotFound({
                      resource: "asset",
                      id: text,
                      endpoint: null,
                      serverMessage: text,
                      sdkErrorCode: null
                    }),
                    new Core.TransportError({ endpoint: "x", reason: "redirect", detail: text, attempts: 1 })
                  ]
                  return errors.every((e) =>
                    [e.message, JSON.stringify(e), String(e)].every(
                      (s) => gone.every((g) => !s.includes(g)) && !s.toLowerCase().includes(key.toLowerCase())
                    )
                  )
                })
            )
          )
        )
      ),
      { numRuns: 60 }
    )
  })

  it("errors built from an answer that echoes the key transformed carry none of it", () => {
    fc.assert(
      fc.property(keys, picks, fc.constantFrom(200, 400, 401, 404, 429, 500), (key, pick, status) =>
        Object.values(transforms).every((t) => {
          const { text, gone } = t(key, pick)
          const body = `{"code":${status},"msg":"bad key ${text.replace(/"/g, "'")}","sdk_error_code":90212}`
          const fromStatus = Core.errorFromResponse({
            status: status === 200 ? 401 : status,
            endpoint: "workspaces",
            body,
            nowMillis: 0,
            attempts: 1,
            apiKey: key
          })
          const decoded = Effect.runSyncExit(Core.Decode.decodeJsonText(Core.WorkspaceList, "workspaces")(body, key))
          const texts = [fromStatus.message, JSON.stringify(fromStatus)]
          if (Exit.isFailure(decoded)) texts.push(String(decoded.cause))
          return texts.every((s) => gone.every((g) => !s.includes(g)) && !s.toLowerCase().includes(key.toLowerCase()))
        })
      ),
      { numRuns: 100 }
    )
  })

  it("an excerpt never shows a piece of a key form cut at its end", () => {
    const key = "ck_live_7Hq2ZpL9xW4vN8rT1yB6mK3sD0fG5jE"
    for (let pad = 150; pad < 260; pad++) {
      for (const form of [key, key.toLowerCase(), [...key].map((c) => u4(c, false)).join("")]) {
        const ex = Core.Decode.excerpt(`${"a".repeat(pad)}${form}${form}`, key)
        assert.notInclude(ex.toLowerCase(), key.slice(0, 12).toLowerCase())
        assert.notInclude(ex, u4(key[0] as string, false) + u4(key[1] as string, false))
      }
    }
  })
})

// ---------------------------------------------------------------- unusable keys
const invisible = fc.oneof(
  fc.constantFrom("\u200b", "\ufeff", "\u00a0", "\u2060", "\u00ad", "\u200c", "\u200d", "\u202f", "\u2028"),
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  fc
    .integer({ min: 0x7f, max: 0xffff })
    .filter((c) => c < 0xd800 || c > 0xdfff)
    .map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c))
)

describe("Secrets.checkApiKey: an unusable key is a ConfigurationError before any request", () => {
  it("a printable-ASCII key passes, trimmed of the white space around it", () => {
    fc.assert(
      fc.property(printable, fc.constantFrom("", " ", "\n", "\r\n", "\t"), (key, ws) => {
        const r = checkApiKey(`${ws}${key}${ws}`, "env")
        return Either.isRight(r) && r.right === key
      })
    )
  })

  it("a line break, tab or space between the key's characters is refused (only the ends are trimmed)", () => {
    for (const inside of ["\n", "\r\n", "\t", " "]) {
      const r = checkApiKey(`abc${inside}def`, "env")
      assert.isTrue(Either.isLeft(r), JSON.stringify(inside))
    }
  })

  it("an invisible, control or non-ASCII character anywhere: refused, the character and place named, not the key", () => {
    fc.assert(
      fc.property(printable, invisible, fc.nat(), (key, ch, at) => {
        fc.pre(!/^[ \t\r\n]$/.test(ch))
        const i = at % (key.length + 1)
        const pasted = `${key.slice(0, i)}${ch}${key.slice(i)}`
        const r = checkApiKey(pasted, "option")
        if (Either.isRight(r)) return false
        const e = r.left
        const code = `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`
        return (
          e._tag === "ConfigurationError" &&
          e.setting === "apiKey" &&
          e.message.includes(code) &&
          e.message.includes(`at character ${i + 1} of`) &&
          !e.message.includes(key) &&
          !JSON.stringify(e).includes(key)
        )
      }),
      { numRuns: 400 }
    )
  })

  it("the zero-width space and the byte order mark, in CometConfig.resolve (option, env and config file)", () => {
    const key = "ck_live_7Hq2ZpL9xW4vN8rT1yB6mK3sD0fG5jE"
    const cases: ReadonlyArray<readonly [Core.CometOptions, string]> = [
      [{ apiKey: `${key.slice(0, 5)}\u200b${key.slice(5)}` }, "a zero-width space (U+200B) at character 6"],
      [{ apiKey: `\ufeff${key}` }, "a byte order mark (zero-width no-break space) (U+FEFF) at character 1"],
      [{ apiKey: Redacted.make(`${key}\u00a0`) }, "a no-break space (U+00A0)"],
      [
        { sources: Core.CometConfig.staticSources({ COMET_API_KEY: `${key}\u200b` }) },
        "COMET_API_KEY: the API key contains a zero-width space (U+200B) at character 40 of 40"
      ],
      [
        {
          sources: Core.CometConfig.staticSources(
            {},
            { "/home/u/.comet.config": `[comet]\napi_key = \u200b${key}\n` },
            { home: "/home/u" }
          )
        },
        "COMET_API_KEY: the API key contains a zero-width space (U+200B) at character 1 of 40"
      ],
      [{ apiKey: 12345 as unknown as string }, "must be a string (or a Redacted string), not the number 12345"]
    ]
    for (const [options, fragment] of cases) {
      const exit = Effect.runSyncExit(
        Core.CometConfig.resolve({ sources: Core.CometConfig.staticSources({}), ...options })
      )
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
        const e = exit.cause.error
        assert.strictEqual(e._tag, "ConfigurationError")
        assert.include(e.message, fragment)
        assert.notInclude(e.message, key)
      }
    }
  })
})

describe("the registry of keys to scrub holds only the keys in use", () => {
  const sources = Core.CometConfig.staticSources({})
  const layerOf = (apiKey: string) => Core.CometConfig.layer({ apiKey, sources })

  it("2,000 layers with distinct keys, each built and closed: the registry returns to its size before", () => {
    const before = registeredSecrets()
    for (let i = 0; i < 2000; i++) {
      const key = `tenant${i.toString().padStart(6, "0")}Key0123456789`
      const inside = Effect.runSync(Effect.scoped(Effect.map(Layer.build(layerOf(key)), () => scrub(`echo ${key}`))))
      assert.strictEqual(inside, "echo <redacted>")
    }
    assert.strictEqual(registeredSecrets(), before)
  })

  it("holds are counted: a key stays registered until the last layer holding it is closed", () =>
    Effect.gen(function* () {
      const key = "sharedKeyOfTwoClients0123"
      const before = registeredSecrets()
      const first = yield* Scope.make()
      const second = yield* Scope.make()
      yield* Layer.buildWithScope(layerOf(key), first)
      yield* Layer.buildWithScope(layerOf(key), second)
      assert.strictEqual(registeredSecrets(), before + 1)
      yield* Scope.close(first, Exit.void)
      assert.strictEqual(scrub(key), "<redacted>")
      yield* Scope.close(second, Exit.void)
      assert.strictEqual(scrub(key), key)
      assert.strictEqual(registeredSecrets(), before)
    }).pipe(Effect.runSync))

  it("Secrets.hold: a key the user's own code sends is scrubbed for the life of a scope; resolve() alone keeps nothing", () => {
    const key = "userHeldKey0123456789abcd"
    Effect.runSync(Core.CometConfig.resolve({ apiKey: key, sources }))
    assert.strictEqual(scrub(key), key)
    const inside = Effect.runSync(Effect.scoped(Effect.map(Core.Secrets.hold(Redacted.make(key)), () => scrub(key))))
    assert.strictEqual(inside, "<redacted>")
    assert.strictEqual(scrub(key), key)
  })
})

describe("a server that echoes a piece of the held key", () => {
  it("errors built from its answer (status line, Comet's msg, body excerpt, JSON) carry no run of 8 of its characters", () => {
    const key = "SECRETkeyABCDEFGH12345678zz"
    const runs = Array.from({ length: key.length - 7 }, (_, i) => key.slice(i, i + 8).toLowerCase())
    const texts = Effect.runSync(
      Effect.scoped(
        Effect.map(Core.Secrets.hold(Redacted.make(key)), () => {
          const piece = key.slice(3, 14)
          const body = `{"code":400,"msg":"bad ${key.slice(2, 12)} and ${piece.toLowerCase()}","sdk_error_code":1}`
          const out: Array<string> = []
          for (const status of [400, 401, 404, 500]) {
            const e = Core.errorFromResponse({
              status,
              endpoint: "workspaces",
              body,
              nowMillis: 0,
              attempts: 1,
              apiKey: key
            })
            out.push(e.message, JSON.stringify(e), String(e))
          }
          const decoded = Effect.runSyncExit(
            Core.Decode.decodeJsonText(Core.WorkspaceList, "workspaces")(`{"workspaceNames":[{"a":"${piece}"}]}`, key)
          )
          assert.isTrue(Exit.isFailure(decoded))
          if (Exit.isFailure(decoded)) out.push(String(decoded.cause))
          return out
        })
      )
    )
    for (const text of texts) for (const run of runs) assert.notInclude(text.toLowerCase(), run, text)
  })
})
