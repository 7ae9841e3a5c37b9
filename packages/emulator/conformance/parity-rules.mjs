// The parity check of `pnpm test:conformance` (issue 14): for each item, comet_ml 3.58.8's answer
// (parity.py) and comet-ts's answer (packages/api/conformance/parity.ts) to the same question,
// against the same emulator, and the rule they must satisfy. "same" items must agree; "difference"
// items are the deliberate differences the README lists, and the rule checks exactly that
// difference (so an accidental agreement, or another difference, fails too).
import { isDeepStrictEqual } from "node:util"

const show = (a) => {
  const s = JSON.stringify(a)
  return s === undefined ? "(no answer)" : s.length > 160 ? `${s.slice(0, 157)}...` : s
}
const value = (a) => (a !== undefined && "value" in a ? a.value : undefined)
const isError = (a) => a !== undefined && "error" in a
const tagOf = (a) => (isError(a) ? (a.error.tag ?? a.error.type) : undefined)
const same = (py, ts) => !isError(py) && !isError(ts) && isDeepStrictEqual(value(py), value(ts))
const stripNegated = (predicates) => JSON.parse(JSON.stringify(predicates, (k, v) => (k === "negated" ? undefined : v)))

/** A result: ok, and a line saying what was compared. */
const verdict = (ok, detail) => ({ ok, detail })

const ambiguous = (facts) => (py, ts) => {
  const both = [facts.keys.b1, facts.keys.b2]
  const e = isError(ts) ? ts.error : undefined
  return verdict(
    e !== undefined &&
      e.tag === "Ambiguous" &&
      isDeepStrictEqual([...(e.matches ?? [])].sort(), [...both].sort()) &&
      both.includes(value(py)),
    `comet_ml silently picks ${show(value(py))} (the last of ${both.length}); comet-ts: ${isError(ts) ? `${e.tag} naming ${show(e.matches)}` : show(value(ts))}`
  )
}

const wrongPlace = (facts) => (py, ts) =>
  verdict(
    value(py) === facts.keys.b1 && isError(ts) && (tagOf(ts) === "NotFound" || tagOf(ts) === "InvalidArgument"),
    `comet_ml returns ${show(value(py))} from wherever it is; comet-ts: ${isError(ts) ? `${tagOf(ts)}: ${ts.error.message}` : show(value(ts))}`
  )

const unknownSummary = (py, ts) =>
  verdict(
    isDeepStrictEqual(value(py), []) && tagOf(ts) === "NotFound",
    `comet_ml returns ${show(value(py))}; comet-ts: ${isError(ts) ? `NotFound (${ts.error.message.slice(0, 80)})` : show(value(ts))}`
  )

const agree = (py, ts) => verdict(same(py, ts), `comet_ml ${show(py)}; comet-ts ${show(ts)}`)

/** comet_ml answers; comet-ts refuses with `tag`, its message matching `said` (what the difference is). */
const refusedByCometTs = (tag, said, pyDoes, tsSays) => (py, ts) =>
  verdict(
    !isError(py) && tagOf(ts) === tag && said.test(ts.error.message),
    `comet_ml ${pyDoes} ${show(value(py))}; comet-ts: ${tagOf(ts) ?? show(ts)} ${tsSays}`
  )

const bothRefuse = (py, ts) =>
  verdict(
    isError(py) && tagOf(ts) === "InvalidArgument",
    `comet_ml raises ${tagOf(py)}; comet-ts ${tagOf(ts) ?? show(ts)}`
  )

/** The items, in report order. `facts` is parity-dataset.ts's facts file. */
export const rules = (facts) => [
  // Names are not keys.
  ["names: get('ws/proj/name') with two runs of that name", "difference", ambiguous(facts)],
  ["names: get_experiment(ws, proj, name) with two runs of that name", "difference", ambiguous(facts)],
  ["names: a key is unambiguous", "same", agree],
  ["names: a unique name", "same", agree],
  // A path names one place.
  ["path: key under a project that does not exist", "difference", wrongPlace(facts)],
  ["path: key under another project", "difference", wrongPlace(facts)],
  // Summaries by name return what Python returns.
  ["summary: get_others_summary(name)", "same", agree],
  ["summary: get_metrics_summary(name)", "same", agree],
  ["summary: get_parameters_summary(name)", "same", agree],
  ["summary: get_others_summary(unknown name)", "difference", unknownSummary],
  ["summary: get_metrics_summary(unknown name)", "difference", unknownSummary],
  ["summary: get_parameters_summary(unknown name)", "difference", unknownSummary],
  // getMetrics() without a name: one request, the server's order.
  ...[
    "get_metrics(): every metric, server order (NaN, ±Infinity, a gap)",
    "get_metrics(): every metric, server order"
  ].map((item) => [
    item,
    "same",
    (py, ts) => {
      const got = value(ts)
      const requests = got?.requests
      return verdict(
        !isError(py) && got !== undefined && isDeepStrictEqual(value(py), got.value) && requests === 1,
        `comet_ml ${value(py)?.length ?? show(py)} points; comet-ts ${got?.value?.length ?? show(ts)} points in ${requests ?? "?"} request(s), ${got !== undefined && isDeepStrictEqual(value(py), got.value) ? "same list, same order" : "DIFFERENT list or order"}`
      )
    }
  ]),
  // Patterns are Python regular expressions.
  ["pattern: named group (?P<start>kee)", "same", agree],
  ["pattern: inline flag (?i)KEEN", "same", agree],
  ["pattern: re.match anchors at the start een", "same", agree],
  ["pattern: named backreference p(?P<n>e)(?P=n)k", "same", agree],
  ["pattern: invalid in Python (?P<x", "same", bothRefuse],
  [
    "pattern: conditional group (a)(?(1)b|c)",
    "difference",
    refusedByCometTs(
      "InvalidArgument",
      /conditional group/,
      "matches with Python's re:",
      "naming the construct JavaScript cannot express"
    )
  ],
  // Ordering on text columns.
  [
    'text order: Parameter("pct") > 55',
    "difference",
    refusedByCometTs(
      "QueryError",
      /lexicographic/,
      "sends 55 to a string column and gets the text order",
      "saying the order is lexicographic"
    )
  ],
  ['text order: Parameter("pct") > "55"', "same", agree],
  // Query syntax comet_ml accepts.
  ['query: ~Tag("x")', "same", agree],
  ['query: Tag("x") & ~Tag("y")', "same", agree],
  ["query: datetime(…, tzinfo=timezone.utc)", "same", agree],
  ["query: datetime(…, tzinfo=UTC+2)", "same", agree],
  ["query: ~A", "same", agree],
  ["query: ~B", "same", agree],
  ["query: ~(A | B)", "same", agree],
  [
    "query: ~(A & B)",
    "difference",
    // comet_ml sends ~A and ~B as two AND-ed predicates (the meaning of ~(A | B)); comet-ts
    // sends ~A | ~B. Both are checked against the single-leaf answers both sides agree on.
    (py, ts, all) => {
      const notA = value(all.py["query: ~A"]) ?? []
      const notB = value(all.py["query: ~B"]) ?? []
      const union = [...new Set([...notA, ...notB])].sort()
      const intersection = notA.filter((k) => notB.includes(k)).sort()
      return verdict(
        isDeepStrictEqual(value(py), intersection) &&
          isDeepStrictEqual(value(ts), union) &&
          !isDeepStrictEqual(union, intersection),
        `comet_ml returns ~A & ~B ${show(value(py))}; comet-ts returns ~A | ~B ${show(value(ts))}`
      )
    }
  ],
  [
    'predicates: ~Tag("x")',
    "same",
    (py, ts) =>
      verdict(
        !isError(py) && !isError(ts) && isDeepStrictEqual(stripNegated(value(py)), value(ts)),
        `same predicates but comet_ml's "negated": true (README: not sent): ${show(value(ts))}`
      )
  ],
  [
    "predicates: datetime(…, tzinfo=UTC+2)",
    "difference",
    (py, ts) => {
      const p = value(py)?.[0]?.query?.rules?.[0]?.value
      const t = value(ts)?.[0]?.query?.rules?.[0]?.value
      const instant = (s) =>
        typeof s === "string" ? Date.parse(`${s.replace(" ", "T")}${/[+-]\d\d:\d\d$/.test(s) ? "" : "Z"}`) : Number.NaN
      return verdict(
        typeof p === "string" &&
          typeof t === "string" &&
          p !== t &&
          instant(p) === instant(t) &&
          !Number.isNaN(instant(t)),
        `same instant, written differently: comet_ml ${show(p)}, comet-ts ${show(t)} (UTC)`
      )
    }
  ],
  [
    "predicates: ~(A & B)",
    "difference",
    (py, ts) =>
      verdict(
        Array.isArray(value(py)) &&
          value(py).length === 2 &&
          value(py).every((p) => p.negated === true) &&
          value(ts)?.[0]?.source === "nested" &&
          value(ts)?.[0]?.query?.condition === "OR",
        `comet_ml: ${value(py)?.length} AND-ed predicates tagged "negated"; comet-ts: one nested OR`
      )
  ],
  // Small gaps.
  ...["finished", "running", "crashed"].map((state) => [`get_state(): ${state} run`, "same", agree]),
  [
    "model asset list of an unknown model",
    "same",
    (py, ts) =>
      verdict(
        isError(py) && py.error.status === 404 && tagOf(ts) === "NotFound",
        `comet_ml raises ${tagOf(py)} (HTTP ${py?.error?.status}); comet-ts ${tagOf(ts) ?? show(ts)}`
      )
  ],
  ["chart: NaN, ±Infinity and a gap", "same", agree]
]

/** Compare two answer files; one report row per item (method, binding, ok, detail). */
export const compare = (facts, py, ts) =>
  rules(facts).map(([item, kind, rule]) => {
    const a = py[item]
    const b = ts[item]
    if (a === undefined || b === undefined)
      return {
        method: `parity: ${item}`,
        binding: kind,
        ok: false,
        detail: `no answer from ${a === undefined ? "comet_ml" : "comet-ts"}`
      }
    const { ok, detail } = rule(a, b, { py, ts })
    return {
      method: `parity: ${item}`,
      binding: kind === "same" ? "comet_ml = comet-ts" : "documented difference",
      ok,
      detail
    }
  })
