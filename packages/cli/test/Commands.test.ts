/**
 * Every command, in-process against the emulator: stdout, stderr and exit code, checked against
 * what the library returns for the same data.
 */
import { Chart, CometApi, Testing } from "@comet-ts/api"
import { assert, describe, it } from "@effect/vitest"
import { parse } from "csv-parse/sync"
import { Effect } from "effect"
import { clientOf, dataset, emulator, runCli } from "./support/run.js"

const WS = "local-dev"
const PROJECT = `${WS}/mnist-sweep`
const ADAM = 'Parameter("optimizer") == "adam"'

/** Run a library call against the same data. */
const library = <A, E>(f: (api: typeof CometApi.Service) => Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const emu = yield* emulator()
    return yield* Effect.flatMap(CometApi, f).pipe(Effect.provide(Testing.layerClient(clientOf(emu))))
  })

const lines = (text: string) => text.split("\n").filter((l) => l.length > 0)

describe("listing commands", () => {
  it.live("workspaces in every format", () =>
    Effect.gen(function* () {
      const table = yield* runCli(["workspaces"])
      assert.strictEqual(table.code, 0)
      assert.strictEqual(table.stderr, "")
      assert.include(table.stdout, "│ workspace")
      assert.include(table.stdout, "│ local-dev")
      assert.include(table.stdout, "│ team-vision")
      const json = yield* runCli(["workspaces", "--format", "json"])
      assert.deepStrictEqual(JSON.parse(json.stdout), [
        { workspaceName: "local-dev" },
        { workspaceName: "team-vision" }
      ])
      const ndjson = yield* runCli(["workspaces", "--format", "ndjson"])
      assert.deepStrictEqual(
        lines(ndjson.stdout).map((l) => JSON.parse(l)),
        JSON.parse(json.stdout)
      )
      const csv = yield* runCli(["workspaces", "--format", "csv"])
      assert.strictEqual(csv.stdout, "workspace\nlocal-dev\nteam-vision\n")
    })
  )

  it.live("projects WS: JSON is every field the server sent", () =>
    Effect.gen(function* () {
      const expected = yield* library((api) => api.listProjects(WS))
      const out = yield* runCli(["projects", WS, "--format", "json"])
      assert.strictEqual(out.code, 0)
      assert.deepStrictEqual(JSON.parse(out.stdout), JSON.parse(JSON.stringify(expected)))
      const table = yield* runCli(["projects", WS])
      for (const p of expected) assert.include(table.stdout, p.projectName)
    })
  )

  it.live("experiments WS/PROJ, all of them and those a query matches", () =>
    Effect.gen(function* () {
      const all = yield* library((api) => api.getExperiments(WS, "mnist-sweep"))
      const adam = yield* library((api) => api.query(WS, "mnist-sweep", ADAM))
      assert.isAbove(all.length, adam.length)
      assert.isAbove(adam.length, 0)
      const csv = yield* runCli(["experiments", PROJECT, "--format", "csv"])
      assert.strictEqual(csv.code, 0)
      const rows = parse(csv.stdout, { columns: true }) as Array<Record<string, string>>
      assert.deepStrictEqual(
        rows.map((r) => r.key),
        all.map((e) => e.key)
      )
      const queried = yield* runCli(["experiments", PROJECT, "--query", ADAM, "--format", "ndjson"])
      assert.deepStrictEqual(
        lines(queried.stdout).map((l) => (JSON.parse(l) as { experimentKey: string }).experimentKey),
        adam.map((e) => e.key)
      )
      const archived = yield* library((api) => api.getArchivedExperiments(WS, "mnist-sweep"))
      const out = yield* runCli(["experiments", PROJECT, "--archived", "--format", "json"])
      assert.deepStrictEqual(
        (JSON.parse(out.stdout) as Array<{ experimentKey: string }>).map((e) => e.experimentKey),
        archived.map((e) => e.key)
      )
    })
  )

  it.live("columns WS/PROJ", () =>
    Effect.gen(function* () {
      const expected = yield* library((api) => api.getProjectColumns(WS, "mnist-sweep"))
      const out = yield* runCli(["columns", PROJECT, "--format", "json"])
      assert.deepStrictEqual(JSON.parse(out.stdout), JSON.parse(JSON.stringify(expected)))
      const table = yield* runCli(["columns", PROJECT])
      assert.include(table.stdout, "val_accuracy")
      assert.include(table.stdout, "│ name")
    })
  )
})

describe("metrics", () => {
  it.live("--help shows --param as optional and --metric as required, as the README's usage", () =>
    Effect.gen(function* () {
      const out = yield* runCli(["metrics", "--help"])
      assert.strictEqual(out.code, 0, out.stderr)
      assert.include(out.stdout, "--metric NAME... [--param NAME...] [--query QUERY]")
    })
  )

  it.live("CSV: one row per experiment, metric and point, as Chart.rows of the library's chart", () =>
    Effect.gen(function* () {
      const experiments = yield* library((api) => api.query(WS, "mnist-sweep", ADAM))
      const chart = yield* library((api) =>
        api.getMetricsForChart(experiments, ["val_accuracy", "loss"], ["optimizer"], { fetchFull: true })
      )
      const expected = [...Chart.rows(experiments.flatMap((e) => (chart[e.key] ? [chart[e.key]!] : [])))]
      const out = yield* runCli([
        "metrics",
        PROJECT,
        "--query",
        ADAM,
        "--metric",
        "val_accuracy",
        "--metric",
        "loss",
        "--param",
        "optimizer",
        "--full"
      ])
      assert.strictEqual(out.code, 0)
      assert.strictEqual(out.stderr, "")
      const rows = parse(out.stdout, { columns: true }) as Array<Record<string, string>>
      assert.deepStrictEqual(Object.keys(rows[0] ?? {}), [
        "experimentKey",
        "experimentName",
        "metric",
        "step",
        "epoch",
        "timestamp",
        "value",
        "params.optimizer"
      ])
      assert.strictEqual(rows.length, expected.length)
      rows.forEach((r, i) => {
        const x = expected[i]!
        assert.strictEqual(r.experimentKey, x.experimentKey)
        assert.strictEqual(r.metric, x.metric)
        assert.strictEqual(Number(r.value), x.value)
        assert.strictEqual(r.step, x.step === null ? "" : String(x.step))
        assert.strictEqual(r["params.optimizer"], "adam")
      })
      // Every experiment of the query is there, with both metrics.
      assert.deepStrictEqual(new Set(rows.map((r) => r.experimentKey)), new Set(experiments.map((e) => e.key)))
      assert.deepStrictEqual(new Set(rows.map((r) => r.metric)), new Set(["val_accuracy", "loss"]))
    })
  )

  it.live("few requests: one experiments list and one chart request per chunk of experiments", () =>
    Effect.gen(function* () {
      const emu = yield* emulator()
      const out = yield* runCli(["metrics", PROJECT, "--metric", "loss", "--format", "ndjson"], {
        client: clientOf(emu)
      })
      assert.strictEqual(out.code, 0)
      const stats = yield* emu.stats.snapshot
      assert.deepStrictEqual(Object.fromEntries(Object.entries(stats.byEndpoint).map(([k, v]) => [k, v.requests])), {
        experiments: 1,
        "experiments/multi-metric-chart": 1
      })
      const rows = lines(out.stdout).map((l) => JSON.parse(l) as { metric: string; value: number })
      assert.isAbove(rows.length, 0)
      assert.isTrue(rows.every((r) => r.metric === "loss" && typeof r.value === "number"))
    })
  )

  it.live("JSON is one array of the same rows", () =>
    Effect.gen(function* () {
      const args = ["metrics", PROJECT, "--query", ADAM, "--metric", "val_loss"]
      const json = yield* runCli([...args, "--format", "json"])
      const ndjson = yield* runCli([...args, "--format", "ndjson"])
      assert.strictEqual(json.code, 0)
      assert.deepStrictEqual(
        JSON.parse(json.stdout),
        lines(ndjson.stdout).map((l) => JSON.parse(l))
      )
    })
  )

  it.live("a query matching nothing gives the header only, and says so on stderr", () =>
    Effect.gen(function* () {
      const out = yield* runCli(["metrics", PROJECT, "--query", 'Parameter("optimizer") == "none"', "--metric", "loss"])
      assert.strictEqual(out.code, 0)
      assert.strictEqual(out.stdout, "experimentKey,experimentName,metric,step,epoch,timestamp,value\n")
      assert.include(out.stderr, "no experiments")
      const json = yield* runCli([
        "metrics",
        PROJECT,
        "--query",
        'Parameter("optimizer") == "none"',
        "--metric",
        "loss",
        "--format",
        "json"
      ])
      assert.deepStrictEqual(JSON.parse(json.stdout), [])
    })
  )

  it.live("--metric is required, with a name", () =>
    Effect.gen(function* () {
      const out = yield* runCli(["metrics", PROJECT])
      assert.strictEqual(out.code, 2)
      assert.include(out.stderr, "--metric")
      assert.strictEqual(out.stdout, "")
      const blank = yield* runCli(["metrics", PROJECT, "--metric", " "])
      assert.strictEqual(blank.code, 2)
      assert.include(blank.stderr, "--metric and --param need a name")
      assert.strictEqual(blank.stdout, "")
    })
  )
})

describe("gate", () => {
  it.live("passes: exit 0, the deciding experiments and a PASS verdict", () =>
    Effect.gen(function* () {
      const out = yield* runCli(["gate", PROJECT, "--query", ADAM, "--metric", "val_accuracy", "--min", "0.8"])
      assert.strictEqual(out.code, 0, out.stderr)
      const verdict = lines(out.stdout).at(-1) ?? ""
      assert.match(
        verdict,
        /^PASS: \d+ of \d+ experiments matching .* have val_accuracy \(last\) >= 0\.8 \(at least 1 required\)\.$/
      )
      assert.include(out.stdout, "val_accuracy (last)")
      assert.strictEqual(out.stderr, "")
    })
  )

  it.live("fails: exit 1 and a FAIL verdict; --json says the same for machines", () =>
    Effect.gen(function* () {
      const out = yield* runCli(["gate", PROJECT, "--query", ADAM, "--metric", "val_accuracy", "--min", "0.99"])
      assert.strictEqual(out.code, 1)
      assert.match(lines(out.stdout).at(-1) ?? "", /^FAIL: 0 of \d+ experiments/)
      assert.strictEqual(out.stderr, "")
      const json = yield* runCli([
        "gate",
        PROJECT,
        "--query",
        ADAM,
        "--metric",
        "val_accuracy",
        "--min",
        "0.99",
        "--json"
      ])
      assert.strictEqual(json.code, 1)
      const verdict = JSON.parse(json.stdout) as {
        holds: boolean
        passed: number
        matched: number
        experiments: Array<{ key: string; value: number; passed: boolean }>
      }
      assert.isFalse(verdict.holds)
      assert.strictEqual(verdict.passed, 0)
      assert.strictEqual(verdict.experiments.length, verdict.matched)
    })
  )

  it.live("values are the summaries' last, min and max", () =>
    Effect.gen(function* () {
      const adam = yield* library((api) => api.query(WS, "mnist-sweep", ADAM))
      const summaries = yield* library((api) =>
        Effect.forEach(adam, (e) =>
          Effect.map(api.getExperimentSummary(e.key, "metric", "val_loss"), (s) => [e.key, s] as const)
        )
      )
      for (const agg of ["last", "min", "max"] as const) {
        const out = yield* runCli([
          "gate",
          PROJECT,
          "--query",
          ADAM,
          "--metric",
          "val_loss",
          "--max",
          "100",
          "--agg",
          agg,
          "--json"
        ])
        assert.strictEqual(out.code, 0)
        const got = JSON.parse(out.stdout) as { experiments: Array<{ key: string; value: number }> }
        for (const [key, s] of summaries) {
          const text = agg === "last" ? s.valueCurrent : agg === "min" ? s.valueMin : s.valueMax
          assert.strictEqual(got.experiments.find((e) => e.key === key)?.value, Number(text), `${agg} of ${key}`)
        }
        // --max: smallest first.
        const values = got.experiments.map((e) => e.value)
        assert.deepStrictEqual(
          values,
          [...values].sort((a, b) => a - b)
        )
      }
    })
  )

  it.live("--require N counts passing experiments; without --metric, matching ones", () =>
    Effect.gen(function* () {
      const adam = yield* library((api) => api.query(WS, "mnist-sweep", ADAM))
      const n = adam.length
      const enough = yield* runCli(["gate", PROJECT, "--query", ADAM, "--require", String(n)])
      assert.strictEqual(enough.code, 0)
      assert.include(enough.stdout, `PASS: ${n} experiments match`)
      const tooMany = yield* runCli(["gate", PROJECT, "--query", ADAM, "--require", String(n + 1)])
      assert.strictEqual(tooMany.code, 1)
      assert.include(tooMany.stdout, `FAIL: ${n} experiments match`)
    })
  )

  it.live("option combinations that make no sense are usage errors (exit 2), before any request", () =>
    Effect.gen(function* () {
      const emu = yield* emulator()
      for (const [args, words] of [
        [["--min", "0.5"], "need --metric"],
        [["--metric", "loss"], "needs a bound"],
        [["--metric", "loss", "--min", "2", "--max", "1"], "larger than --max"],
        [["--require", "0"], "at least 1"],
        [["--agg", "max"], "need --metric"]
      ] as const) {
        const out = yield* runCli(["gate", PROJECT, "--query", ADAM, ...args], { client: clientOf(emu) })
        assert.strictEqual(out.code, 2, args.join(" "))
        assert.include(out.stderr, words)
        assert.strictEqual(lines(out.stderr).length, 1)
      }
      assert.strictEqual((yield* emu.stats.snapshot).requests, 0)
    })
  )
})

describe("--verbose", () => {
  it.live("prints the request report on stderr, also when the command fails", () =>
    Effect.gen(function* () {
      const ok = yield* runCli(["metrics", PROJECT, "--metric", "loss", "--verbose"])
      assert.strictEqual(ok.code, 0)
      assert.include(ok.stderr, "comet-ts panel report: 2 HTTP requests")
      assert.include(ok.stderr, "experiments/multi-metric-chart")
      const failed = yield* runCli(["experiments", `${WS}/no-such-project`, "--verbose"])
      assert.strictEqual(failed.code, 4)
      assert.include(failed.stderr, "comet-ts panel report:")
    })
  )
})

describe("the dataset the tests assume", () => {
  it("has an mnist-sweep project with adam runs", () => {
    const project = dataset.workspaces.find((w) => w.name === WS)?.projects.find((p) => p.projectName === "mnist-sweep")
    assert.isDefined(project)
  })
})
