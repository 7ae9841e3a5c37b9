import * as Core from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { ExperimentData } from "../src/Dataset.js"
import { layerClient } from "../src/Emulator.js"
import { generate } from "../src/Generator.js"
import { contentBytes } from "../src/internal/content.js"
import { lastValue, materialize } from "../src/Series.js"
import { decodes, errorOf, get, getJson, KEY, OTHER_KEY, post } from "./util.js"

const dataset = generate({ size: "small", seed: 1 })
const ws = dataset.workspaces.find((w) => w.name === "local-dev")!
const sweep = ws.projects.find((p) => p.projectName === "mnist-sweep")!
const active = sweep.experiments.filter((e) => !e.archived)
const archived = sweep.experiments.filter((e) => e.archived)
const first = sweep.experiments[0]!
const hidden = dataset.workspaces.find((w) => w.name === "other-user")!
const hiddenExperiment = hidden.projects[0]!.experiments[0]!
const emulator = layerClient({ dataset })
const q = (e: ExperimentData) => `experimentKey=${e.experimentKey}`

describe("workspaces, account, projects", () => {
  it.effect("lists the workspaces the key can see", () =>
    Effect.gen(function* () {
      const body = decodes(Core.WorkspaceList, yield* getJson("/api/rest/v2/workspaces"))
      assert.deepStrictEqual(body.workspaceNames, ["local-dev", "team-vision"])
      const other = decodes(Core.WorkspaceList, yield* getJson("/api/rest/v2/workspaces", { authorization: OTHER_KEY }))
      assert.deepStrictEqual(other.workspaceNames, ["team-vision", "other-user"])
    }).pipe(Effect.provide(emulator))
  )

  it.effect("account details name the user of the key", () =>
    Effect.gen(function* () {
      const body = decodes(Core.AccountDetails, yield* getJson("/api/rest/v2/account-details"))
      assert.deepStrictEqual(body, { userName: "local-dev", defaultWorkspaceName: "local-dev" })
    }).pipe(Effect.provide(emulator))
  )

  it.effect("projects, project by name and by id, notes", () =>
    Effect.gen(function* () {
      const list = decodes(Core.ProjectList, yield* getJson("/api/rest/v2/projects?workspaceName=local-dev"))
      assert.deepStrictEqual(
        list.projects.map((p) => p.projectName),
        ws.projects.map((p) => p.projectName)
      )
      const entry = list.projects.find((p) => p.projectName === "mnist-sweep")!
      assert.strictEqual(entry.numberOfExperiments, active.length)
      assert.strictEqual(entry.projectId, sweep.projectId)
      const byName = yield* getJson("/api/rest/v2/project?workspaceName=local-dev&projectName=mnist-sweep")
      const byId = yield* getJson(`/api/rest/v2/project?projectId=${sweep.projectId}`)
      assert.deepStrictEqual(byName, byId)
      assert.deepStrictEqual(Object.keys(byName as object), [
        "projectId",
        "projectName",
        "ownerUserName",
        "projectDescription",
        "workspaceName",
        "numberOfExperiments",
        "lastUpdated",
        "public"
      ])
      const notes = decodes(
        Core.ProjectNotes,
        yield* getJson(`/api/rest/v2/project/notes?projectId=${sweep.projectId}`)
      )
      assert.strictEqual(notes.notes, sweep.notes)
      const missing = yield* errorOf(yield* get("/api/rest/v2/project?workspaceName=local-dev&projectName=nope"))
      assert.strictEqual(missing.status, 404)
    }).pipe(Effect.provide(emulator))
  )

  it.effect("column names: metadata as recorded, plus metrics, params, others, tags, env details", () =>
    Effect.gen(function* () {
      const body = decodes(
        Core.ColumnList,
        yield* getJson(
          "/api/rest/v2/project/column-names?workspaceName=local-dev&projectName=mnist-sweep&archived=FALSE&ver=2"
        )
      )
      const ids = new Set(body.columns.map((c) => c.id))
      for (const c of body.columns) {
        assert.strictEqual(c.id, `${c.name}--${c.source}`)
        assert.isTrue(Core.isKnownColumn(c), `${c.id} has a known type and source`)
      }
      for (const id of ["duration--metadata", "start_server_timestamp--metadata", "Name--log_other", "loss--metrics"])
        assert.isTrue(ids.has(id), id)
      const type = (id: string) => body.columns.find((c) => c.id === id)?.type
      assert.strictEqual(type("learning_rate--params"), "double")
      assert.strictEqual(type("optimizer--params"), "string")
      assert.strictEqual(type("augment--params"), "boolean")
      assert.strictEqual(type("best--tag"), "string")
      assert.strictEqual(type("hostname--env_details"), "string")
      assert.strictEqual(type("pid--env_details"), "double")
    }).pipe(Effect.provide(emulator))
  )
})

describe("experiment lists and metadata", () => {
  it.effect("archived flag, parsed case-insensitively", () =>
    Effect.gen(function* () {
      const base = "/api/rest/v2/experiments?workspaceName=local-dev&projectName=mnist-sweep"
      const plain = decodes(Core.ExperimentList, yield* getJson(base))
      assert.deepStrictEqual(
        plain.experiments.map((e) => e.experimentKey),
        active.map((e) => e.experimentKey)
      )
      assert.isTrue(archived.length > 0)
      for (const flag of ["true", "True", "TRUE"]) {
        const list = decodes(Core.ExperimentList, yield* getJson(`${base}&archived=${flag}`))
        assert.deepStrictEqual(
          list.experiments.map((e) => e.experimentKey),
          archived.map((e) => e.experimentKey)
        )
      }
      const f = decodes(Core.ExperimentList, yield* getJson(`${base}&archived=False`))
      assert.strictEqual(f.experiments.length, active.length)
      const byId = yield* getJson(`/api/rest/v2/experiments?projectId=${sweep.projectId}`)
      assert.deepStrictEqual(byId, yield* getJson(base))
      const bad = yield* errorOf(yield* get(`${base}&archived=maybe`))
      assert.strictEqual(bad.status, 400)
    }).pipe(Effect.provide(emulator))
  )

  it.effect("pages and sorting", () =>
    Effect.gen(function* () {
      const base = "/api/rest/v2/experiments?workspaceName=local-dev&projectName=mnist-sweep"
      const page = decodes(Core.ExperimentList, yield* getJson(`${base}&page=2&size=5&sortBy=endTime&sortOrder=desc`))
      const sorted = [...active].sort((a, b) => (b.endTimeMillis ?? 0) - (a.endTimeMillis ?? 0))
      assert.deepStrictEqual(
        page.experiments.map((e) => e.experimentKey),
        sorted.slice(5, 10).map((e) => e.experimentKey)
      )
    }).pipe(Effect.provide(emulator))
  )

  it.effect("metadata has every field, null rather than missing", () =>
    Effect.gen(function* () {
      const raw = (yield* getJson(`/api/rest/v2/experiment/metadata?${q(first)}`)) as Record<string, unknown>
      const md = decodes(Core.ExperimentMetadata, raw)
      assert.strictEqual(md.experimentKey, first.experimentKey)
      assert.strictEqual(md.durationMillis, (first.endTimeMillis ?? 0) - first.startTimeMillis)
      for (const k of ["optimizationId", "filePath", "fileName", "throttleMessage", "throttleReasons", "userName"])
        assert.isTrue(k in raw, k)
      assert.strictEqual(raw.throttleMessage, null)
      assert.strictEqual(typeof raw.hasCrashed, "boolean")
    }).pipe(Effect.provide(emulator))
  )

  it.effect("unknown, missing and hidden experiment keys", () =>
    Effect.gen(function* () {
      const unknown = yield* errorOf(yield* get("/api/rest/v2/experiment/metadata?experimentKey=not-a-key"))
      assert.deepStrictEqual(unknown, {
        status: 404,
        body: { code: 404, msg: 'Experiment "not-a-key" does not exist', sdk_error_code: 90211 }
      })
      const missing = yield* errorOf(yield* get("/api/rest/v2/experiment/tags"))
      assert.strictEqual(missing.status, 400)
      assert.strictEqual(missing.body.sdk_error_code, 90998)
      const hiddenOne = yield* errorOf(yield* get(`/api/rest/v2/experiment/metadata?${q(hiddenExperiment)}`))
      assert.strictEqual(hiddenOne.status, 404)
      const visibleToOther = yield* getJson(`/api/rest/v2/experiment/metadata?${q(hiddenExperiment)}`, {
        authorization: OTHER_KEY
      })
      assert.strictEqual((visibleToOther as { experimentKey: string }).experimentKey, hiddenExperiment.experimentKey)
      const forbidden = yield* errorOf(yield* get("/api/rest/v2/projects?workspaceName=other-user"))
      assert.strictEqual(forbidden.status, 403)
      const noWorkspace = yield* errorOf(yield* get("/api/rest/v2/projects?workspaceName=nobody"))
      assert.deepStrictEqual([noWorkspace.status, noWorkspace.body.sdk_error_code], [404, 90219])
    }).pipe(Effect.provide(emulator))
  )
})

describe("auth", () => {
  it.effect("raw Authorization, Comet-Sdk-Api and a Bearer prefix are accepted; anything else is 401", () =>
    Effect.gen(function* () {
      yield* getJson("/api/rest/v2/workspaces", { authorization: KEY })
      yield* getJson("/api/rest/v2/workspaces", { "comet-sdk-api": KEY })
      yield* getJson("/api/rest/v2/workspaces", { authorization: `Bearer ${KEY}` })
      for (const headers of [{}, { authorization: "wrong" }, { authorization: "" }]) {
        const e = yield* errorOf(yield* get("/api/rest/v2/workspaces", headers))
        assert.strictEqual(e.status, 401)
        assert.strictEqual(e.body.sdk_error_code, 90212)
      }
      const version = yield* getJson("/clientlib/isAlive/ver", {})
      assert.deepStrictEqual(decodes(Core.BackendVersion, version), { version: "4.3.385" })
    }).pipe(Effect.provide(emulator))
  )

  it.effect("extra keys map to the workspaces they are granted", () =>
    Effect.gen(function* () {
      const body = yield* getJson("/api/rest/v2/workspaces", { authorization: "ci-key" })
      assert.deepStrictEqual(body, { workspaceNames: ["team-vision"] })
      const main = yield* getJson("/api/rest/v2/workspaces", { authorization: "custom" })
      assert.deepStrictEqual(main, { workspaceNames: ["local-dev", "team-vision"] })
      const old = yield* get("/api/rest/v2/workspaces", { authorization: KEY })
      assert.strictEqual(old.status, 401)
    }).pipe(
      Effect.provide(
        layerClient({
          dataset,
          apiKey: "custom",
          apiKeys: { "ci-key": { userName: "ci", workspaces: ["team-vision"] } }
        })
      )
    )
  )
})

describe("per-experiment reads", () => {
  it.effect("summaries: string values, min/max/current with their steps", () =>
    Effect.gen(function* () {
      const metrics = decodes(Core.SummaryList, yield* getJson(`/api/rest/v2/experiment/metrics/summary?${q(first)}`))
      const loss = metrics.values.find((v) => v.name === "loss")!
      const series = first.metrics.find((s) => s.name === "loss")!
      const p = materialize(series)
      const values = Array.from(p.values)
      assert.strictEqual(loss.valueMin, String(Math.min(...values)))
      assert.strictEqual(loss.valueMax, String(Math.max(...values)))
      assert.strictEqual(loss.valueCurrent, String(lastValue(series)))
      assert.strictEqual(loss.stepMin, p.steps[values.indexOf(Math.min(...values))])
      assert.strictEqual(loss.runContextCurrent, "train")
      const raw = (yield* getJson(`/api/rest/v2/experiment/parameters?${q(first)}`)) as {
        values: Array<Record<string, unknown>>
      }
      for (const v of raw.values) assert.strictEqual(typeof v.valueCurrent, "string")
      decodes(Core.SummaryList, raw)
      const others = decodes(Core.SummaryList, yield* getJson(`/api/rest/v2/experiment/log-other?${q(first)}`))
      assert.deepStrictEqual(
        others.values.map((v) => v.name),
        first.others.map((o) => o.name)
      )
    }).pipe(Effect.provide(emulator))
  )

  it.effect("metric history: every point, values as strings", () =>
    Effect.gen(function* () {
      const body = decodes(
        Core.MetricHistory,
        yield* getJson(`/api/rest/v2/experiment/metrics/get-metric?${q(first)}&metricName=val_loss`)
      )
      const p = materialize(first.metrics.find((s) => s.name === "val_loss")!)
      assert.strictEqual(body.metrics.length, p.length)
      assert.deepStrictEqual(
        body.metrics.map((m) => m.metricValue),
        Array.from(p.values).map(String)
      )
      assert.deepStrictEqual(
        body.metrics.map((m) => m.step),
        Array.from(p.steps)
      )
      const none = yield* getJson(`/api/rest/v2/experiment/metrics/get-metric?${q(first)}&metricName=nope`)
      assert.deepStrictEqual(none, { metrics: [] })
      const all = decodes(Core.MetricHistory, yield* getJson(`/api/rest/v2/experiment/metrics/get-all?${q(first)}`))
      assert.strictEqual(
        all.metrics.length,
        first.metrics.reduce((n, s) => n + materialize(s).length, 0)
      )
    }).pipe(Effect.provide(emulator))
  )

  it.effect("tags, code, output, graph, html, system details, git", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(
        decodes(Core.Tags, yield* getJson(`/api/rest/v2/experiment/tags?${q(first)}`)).tags,
        first.tags
      )
      assert.strictEqual(
        decodes(Core.Code, yield* getJson(`/api/rest/v2/experiment/code?${q(first)}`)).code,
        first.code
      )
      assert.strictEqual(
        decodes(Core.Output, yield* getJson(`/api/rest/v2/experiment/output?${q(first)}`)).output,
        first.output
      )
      assert.strictEqual(
        decodes(Core.Graph, yield* getJson(`/api/rest/v2/experiment/graph?${q(first)}`)).graph,
        first.graph
      )
      assert.strictEqual(
        decodes(Core.Html, yield* getJson(`/api/rest/v2/experiment/html?${q(first)}`)).html,
        first.html
      )
      const sys = (yield* getJson(`/api/rest/v2/experiment/system-details?${q(first)}`)) as Record<string, unknown>
      decodes(Core.SystemDetails, sys)
      for (const k of Object.keys(Core.SystemDetails.fields)) assert.isTrue(k in sys, `system-details has ${k}`)
      assert.strictEqual(sys.maxTotalMemory, null)
      const pk = yield* getJson(`/api/rest/v2/experiment/installed-packages?${q(first)}`)
      assert.deepStrictEqual(pk, { packages: first.systemDetails.installedPackages })
      const git = decodes(Core.GitMetadata, yield* getJson(`/api/rest/v2/experiment/git/metadata?${q(first)}`))
      assert.strictEqual(git.branch, first.git?.branch)
    }).pipe(Effect.provide(emulator))
  )

  it.effect('git patch: bytes when uploaded, {"msg"…} when not', () =>
    Effect.gen(function* () {
      const withPatch = sweep.experiments.find((e) => e.git?.patch !== null)!
      const without = sweep.experiments.find((e) => e.git?.patch === null)!
      const a = yield* get(`/api/rest/v2/experiment/git/patch?${q(withPatch)}`)
      assert.strictEqual(a.headers["content-type"], "application/octet-stream")
      const bytes = new Uint8Array(yield* a.arrayBuffer)
      assert.deepStrictEqual(bytes, contentBytes(withPatch.git!.patch!))
      assert.deepStrictEqual([...bytes.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04])
      const b = yield* get(`/api/rest/v2/experiment/git/patch?${q(without)}`)
      assert.strictEqual(b.status, 200)
      assert.isTrue((yield* b.text).startsWith('{"msg"'))
    }).pipe(Effect.provide(emulator))
  )

  it.effect("assets: list with type filter, download as octet-stream, get-by-name", () =>
    Effect.gen(function* () {
      const all = decodes(Core.AssetList, yield* getJson(`/api/rest/v2/experiment/asset/list?${q(first)}`))
      assert.strictEqual(all.assets.length, first.assets.length)
      const images = decodes(
        Core.AssetList,
        yield* getJson(`/api/rest/v2/experiment/asset/list?${q(first)}&type=image`)
      )
      assert.isTrue(images.assets.length > 0)
      for (const a of images.assets) assert.isTrue(a.image && a.type === "image")
      const img = images.assets[0]!
      const r = yield* get(`/api/rest/v2/experiment/asset/get-asset?${q(first)}&assetId=${img.assetId}`)
      assert.strictEqual(r.headers["content-type"], "application/octet-stream")
      const bytes = new Uint8Array(yield* r.arrayBuffer)
      assert.strictEqual(bytes.length, img.fileSize)
      assert.deepStrictEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10])
      assert.isTrue(img.link?.startsWith("http://emulator.test/api/rest/v2/experiment/asset/get-asset?"))
      const byName = decodes(
        Core.AssetList,
        yield* getJson(`/api/rest/v2/experiment/asset/get-by-name?${q(first)}&assetName=config.yaml`)
      )
      assert.deepStrictEqual(
        byName.assets.map((a) => a.fileName),
        ["config.yaml"]
      )
      const unknown = yield* errorOf(yield* get(`/api/rest/v2/experiment/asset/get-asset?${q(first)}&assetId=nope`))
      assert.strictEqual(unknown.status, 404)
      const curves = decodes(
        Core.AssetList,
        yield* getJson(`/api/rest/v2/experiment/asset/list?${q(first)}&type=curve`)
      )
      const curve = yield* get(
        `/api/rest/v2/experiment/asset/get-asset?${q(first)}&assetId=${curves.assets[0]!.assetId}`
      )
      decodes(Core.CurveData, JSON.parse(yield* curve.text))
    }).pipe(Effect.provide(emulator))
  )

  it.effect("the large synthetic asset is streamed with its Content-Length", () =>
    Effect.gen(function* () {
      const big = first.assets.find((a) => a.fileName === "checkpoint.bin")!
      const r = yield* get(`/api/rest/v2/experiment/asset/get-asset?${q(first)}&assetId=${big.assetId}`)
      const size = "synthetic" in big.content ? big.content.synthetic.size : 0
      assert.strictEqual(r.headers["content-length"], String(size))
      const bytes = new Uint8Array(yield* r.arrayBuffer)
      assert.strictEqual(bytes.length, size)
      assert.deepStrictEqual(bytes.subarray(size - 4096), contentBytes(big.content).subarray(size - 4096))
    }).pipe(Effect.provide(emulator))
  )

  it.effect("models, model assets and the model zip", () =>
    Effect.gen(function* () {
      const models = decodes(Core.ExperimentModelList, yield* getJson(`/api/rest/v2/experiment/model?${q(first)}`))
      assert.deepStrictEqual(
        models.models.map((m) => m.modelName),
        first.models.map((m) => m.modelName)
      )
      const name = first.models[0]!.modelName
      const assets = decodes(
        Core.AssetList,
        yield* getJson(`/api/rest/v2/experiment/model/asset/list?${q(first)}&modelName=${name}`)
      )
      assert.deepStrictEqual(
        assets.assets.map((a) => a.fileName),
        first.models[0]!.assets.map((a) => a.fileName)
      )
      const zip = yield* get(`/api/rest/v2/experiment/model/download?${q(first)}&modelName=${name}`)
      const bytes = new Uint8Array(yield* zip.arrayBuffer)
      assert.deepStrictEqual([...bytes.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04])
    }).pipe(Effect.provide(emulator))
  )
})

describe("multi-metric chart", () => {
  const keys = active.slice(0, 3).map((e) => e.experimentKey)
  const body = (over: Record<string, unknown>) => ({
    targetedExperiments: keys,
    metrics: ["loss", "val_accuracy"],
    params: ["learning_rate"],
    independentMetrics: true,
    fetchFull: false,
    ...over
  })

  it.effect("no metrics → {experiments: {}, empty: true}", () =>
    Effect.gen(function* () {
      for (const metrics of [null, []]) {
        const r = yield* Effect.flatMap(
          post("/api/rest/v2/experiments/multi-metric-chart", body({ metrics })),
          (r) => r.json
        )
        assert.deepStrictEqual(r, { experiments: {}, empty: true })
      }
    }).pipe(Effect.provide(emulator))
  )

  it.effect("sampled (≈500 points, first and last kept) vs full", () =>
    Effect.gen(function* () {
      const big = generate({ size: "small", seed: 1 })
      const e = big.workspaces[0]!.projects[0]!.experiments[0]!
      const sampled = decodes(
        Core.MetricsChartResponse,
        yield* Effect.flatMap(post("/api/rest/v2/experiments/multi-metric-chart", body({})), (r) => r.json)
      )
      const exp = sampled.experiments[keys[0]!]!
      assert.strictEqual(exp.experimentKey, keys[0])
      assert.deepStrictEqual(exp.params, { learning_rate: e.params.find((p) => p.name === "learning_rate")!.value })
      const loss = exp.metrics.find((m) => m.metricName === "loss")!
      assert.strictEqual(loss.values.length, 200, "200 points: fewer than 500, all kept")
      assert.strictEqual(sampled.empty, false)
    }).pipe(Effect.provide(emulator))
  )

  it.effect("a long series is sampled to 500 points; fetchFull returns all", () =>
    Effect.gen(function* () {
      const long: ExperimentData = {
        ...first,
        experimentKey: "a".repeat(32),
        metrics: [
          {
            name: "loss",
            synthetic: {
              shape: "exponential",
              from: 2,
              to: 0.1,
              noise: 0.01,
              cycles: 4,
              seed: 3,
              length: 12_000,
              stepStart: 0,
              stepEvery: 1,
              stepsPerEpoch: 100,
              startTime: 1_700_000_000_000,
              interval: 100,
              context: null
            }
          }
        ],
        assets: [],
        models: []
      }
      const ds = {
        ...dataset,
        workspaces: [{ name: "w", projects: [{ ...sweep, projectId: "p".repeat(32), experiments: [long] }] }],
        users: []
      }
      return yield* Effect.gen(function* () {
        const req = { targetedExperiments: [long.experimentKey], metrics: ["loss"], params: null }
        const s = decodes(
          Core.MetricsChartResponse,
          yield* Effect.flatMap(
            post("/api/rest/v2/experiments/multi-metric-chart", { ...req, independentMetrics: true, fetchFull: false }),
            (r) => r.json
          )
        )
        const m = s.experiments[long.experimentKey]!.metrics[0]!
        assert.strictEqual(m.values.length, 500)
        assert.strictEqual(m.steps?.[0], 0)
        assert.strictEqual(m.steps?.[499], 11_999)
        assert.strictEqual(s.experiments[long.experimentKey]!.params, null)
        const f = decodes(
          Core.MetricsChartResponse,
          yield* Effect.flatMap(
            post("/api/rest/v2/experiments/multi-metric-chart", { ...req, independentMetrics: true, fetchFull: true }),
            (r) => r.json
          )
        )
        assert.strictEqual(f.experiments[long.experimentKey]!.metrics[0]!.values.length, 12_000)
      }).pipe(Effect.provide(layerClient({ dataset: ds })))
    })
  )

  it.effect("independentMetrics=false aligns metrics on the steps they share", () =>
    Effect.gen(function* () {
      const r = decodes(
        Core.MetricsChartResponse,
        yield* Effect.flatMap(
          post("/api/rest/v2/experiments/multi-metric-chart", body({ independentMetrics: false, fetchFull: true })),
          (r) => r.json
        )
      )
      for (const key of keys) {
        const e = r.experiments[key]!
        const [loss, val] = e.metrics
        assert.deepStrictEqual(loss!.steps, val!.steps)
        assert.deepStrictEqual(e.steps, loss!.steps)
        // val_accuracy is logged every 10 steps; loss every step.
        assert.isTrue(loss!.steps!.every((s) => (s as number) % 10 === 0))
        assert.strictEqual(loss!.values.length, val!.values.length)
      }
    }).pipe(Effect.provide(emulator))
  )

  it.effect("unknown and hidden experiments are left out", () =>
    Effect.gen(function* () {
      const r = (yield* Effect.flatMap(
        post(
          "/api/rest/v2/experiments/multi-metric-chart",
          body({ targetedExperiments: [keys[0], "nope", hiddenExperiment.experimentKey] })
        ),
        (r) => r.json
      )) as { experiments: Record<string, unknown> }
      assert.deepStrictEqual(Object.keys(r.experiments), [keys[0]])
      const bad = yield* errorOf(yield* post("/api/rest/v2/experiments/multi-metric-chart", { metrics: ["loss"] }))
      assert.strictEqual(bad.status, 400)
    }).pipe(Effect.provide(emulator))
  )
})

describe("routing", () => {
  it.effect("an unknown endpoint is a 404, a wrong method a 405 with Allow, both with Comet's error body", () =>
    Effect.gen(function* () {
      const e = yield* errorOf(yield* get("/api/rest/v2/no/such/endpoint"))
      assert.strictEqual(e.status, 404)
      const r = yield* get("/api/rest/v2/experiments/multi-metric-chart")
      assert.strictEqual(r.headers.allow, "POST")
      assert.strictEqual((yield* errorOf(r)).status, 405)
      const p = yield* post("/api/rest/v2/workspaces", {})
      assert.strictEqual(p.headers.allow, "GET")
      assert.strictEqual((yield* errorOf(p)).status, 405)
    }).pipe(Effect.provide(emulator))
  )
})
