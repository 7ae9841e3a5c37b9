/**
 * Every seed method and every APIExperiment read method, over the emulator (in process, real
 * HTTP semantics), through `CometApi` and through the Promise facade, checked against the
 * dataset the emulator serves.
 */
import { NotFound } from "@comet-ts/core"
import * as Emulator from "@comet-ts/emulator"
import { Metric, Parameter, Tag } from "@comet-ts/query"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import { API, APIExperiment, CometApi, type CometApiShape, Experiment, Panel, Testing } from "../src/index.js"

const dataset = Emulator.generate({ size: "small", seed: 3 })
const ws = dataset.workspaces[0]!
const project = ws.projects.find((p) => p.experiments.length > 0)!
const live = project.experiments.filter((e) => !e.archived)
const archived = project.experiments.filter((e) => e.archived)
const exp =
  live.find((e) => e.assets.some((a) => a.type === "curve") && e.models.length > 0 && e.git !== null) ?? live[0]!
const KEY = exp.experimentKey
const panelKeys = live.slice(0, 3).map((e) => e.experimentKey)

const emulatorLayer = Emulator.layerClient({ dataset })
const ApiLive = Testing.layerClient(emulatorLayer)
const PanelLive = Panel.layerTest({
  experimentKeys: panelKeys,
  options: { instanceId: "panel-1", metric: "loss" },
  projectId: project.projectId,
  projectName: project.projectName,
  workspace: ws.name
})
const Live = Layer.merge(PanelLive, ApiLive)

const newFacade = () =>
  new API({
    apiKey: "local-dev-key",
    baseUrl: "http://127.0.0.1:4820",
    httpClient: emulatorLayer.pipe(Layer.orDie),
    panel: {
      experimentKeys: panelKeys,
      options: { instanceId: "panel-1", metric: "loss" },
      projectId: project.projectId,
      projectName: project.projectName,
      workspace: ws.name
    }
  })

/** Make results comparable across the two flavours: experiments become their keys. */
const plain = (u: unknown): unknown => {
  if (u instanceof Experiment || u instanceof APIExperiment) return { experiment: u.key }
  if (u instanceof Uint8Array) return { bytes: Array.from(u) }
  if (Array.isArray(u)) return u.map(plain)
  return u
}

interface Case {
  readonly name: string
  readonly effect: (api: CometApiShape) => Effect.Effect<unknown, unknown, Panel.PanelContext>
  readonly facade: (api: API) => Promise<unknown>
  readonly check: (result: unknown) => void
}

const sorted = (xs: ReadonlyArray<string>) => [...xs].sort()
const keysOf = (u: unknown) => (u as ReadonlyArray<{ key: string }>).map((e) => e.key)

const seriesNames = exp.metrics.map((m) => m.name)
const firstCurve = exp.assets.find((a) => a.type === "curve")
const textAsset = exp.assets.find((a) => "text" in a.content || "json" in a.content)
const imageAssets = exp.assets.filter((a) => a.type === "image")
const model = exp.models[0]

const cases: ReadonlyArray<Case> = [
  {
    name: "getWorkspaces",
    effect: (api) => api.getWorkspaces(),
    facade: (api) => api.getWorkspaces(),
    check: (r) => assert.deepStrictEqual(sorted(r as Array<string>), sorted(dataset.users[0]!.workspaces))
  },
  {
    name: "get()",
    effect: (api) => api.get(),
    facade: (api) => api.get(),
    check: (r) => assert.deepStrictEqual(sorted(r as Array<string>), sorted(dataset.users[0]!.workspaces))
  },
  {
    name: "get(ws)",
    effect: (api) => api.get(ws.name),
    facade: (api) => api.get(ws.name),
    check: (r) =>
      assert.deepStrictEqual(
        r,
        ws.projects.map((p) => p.projectName)
      )
  },
  {
    name: "get(ws, proj)",
    effect: (api) => api.get(ws.name, project.projectName),
    facade: (api) => api.get(ws.name, project.projectName),
    check: (r) => assert.deepStrictEqual(sorted(keysOf(r)), sorted(live.map((e) => e.experimentKey)))
  },
  {
    name: "get('ws/proj/key')",
    effect: (api) => api.get(`${ws.name}/${project.projectName}/${KEY}`),
    facade: (api) => api.get(`${ws.name}/${project.projectName}/${KEY}`),
    check: (r) => assert.strictEqual((r as { key: string }).key, KEY)
  },
  {
    name: "getProjects",
    effect: (api) => api.getProjects(ws.name),
    facade: (api) => api.getProjects(ws.name),
    check: (r) =>
      assert.deepStrictEqual(
        r,
        ws.projects.map((p) => p.projectName)
      )
  },
  {
    name: "getProject",
    effect: (api) => api.getProject(ws.name, project.projectName),
    facade: (api) => api.getProject(ws.name, project.projectName),
    check: (r) => {
      const p = r as { projectId: string; numberOfExperiments: number; workspaceName: string }
      assert.strictEqual(p.projectId, project.projectId)
      assert.strictEqual(p.workspaceName, ws.name)
    }
  },
  {
    name: "getProject by id",
    effect: (api) => api.getProject(undefined, undefined, project.projectId),
    facade: (api) => api.getProject(undefined, undefined, project.projectId),
    check: (r) => assert.strictEqual((r as { projectName: string }).projectName, project.projectName)
  },
  {
    name: "getProjectColumns",
    effect: (api) => api.getProjectColumns(ws.name, project.projectName),
    facade: (api) => api.getProjectColumns(ws.name, project.projectName),
    check: (r) => {
      const cols = r as ReadonlyArray<{ name: string; source: string; type: string }>
      for (const name of seriesNames)
        assert.isTrue(
          cols.some((c) => c.name === name && c.source === "metrics"),
          name
        )
      for (const p of exp.params)
        assert.isTrue(
          cols.some((c) => c.name === p.name && c.source === "params"),
          p.name
        )
      for (const t of exp.tags)
        assert.isTrue(
          cols.some((c) => c.name === t && c.source === "tag"),
          t
        )
      assert.isTrue(cols.some((c) => c.name === "duration" && c.type === "timenumber"))
    }
  },
  {
    name: "getProjectExperiments",
    effect: (api) => api.getProjectExperiments(ws.name, project.projectName),
    facade: (api) => api.getProjectExperiments(ws.name, project.projectName),
    check: (r) => {
      const map = r as Record<string, { experimentName: string | null }>
      assert.deepStrictEqual(sorted(Object.keys(map)), sorted(live.map((e) => e.experimentKey)))
      assert.strictEqual(map[KEY]?.experimentName, exp.experimentName ?? null)
    }
  },
  {
    name: "getProjectNotes",
    effect: (api) => api.getProjectNotes(project.projectId),
    facade: (api) => api.getProjectNotes(project.projectId),
    check: (r) => assert.strictEqual(r, project.notes)
  },
  {
    name: "getProjectNotes by name",
    effect: (api) => api.getProjectNotes(ws.name, project.projectName),
    facade: (api) => api.getProjectNotes(ws.name, project.projectName),
    check: (r) => assert.strictEqual(r, project.notes)
  },
  {
    name: "getQueryVariables",
    effect: (api) => api.getQueryVariables(ws.name, project.projectName),
    facade: (api) => api.getQueryVariables(ws.name, project.projectName),
    check: (r) => {
      const text = (r as ReadonlyArray<{ toString(): string }>).map(String)
      assert.isTrue(text.includes('Metric("loss", "double")'), text.join(" "))
      assert.isTrue(text.some((t) => t.startsWith("Tag(")))
    }
  },
  {
    name: "getExperiment(ws, proj, key)",
    effect: (api) => api.getExperiment(ws.name, project.projectName, KEY),
    facade: (api) => api.getExperiment(ws.name, project.projectName, KEY),
    check: (r) => {
      const e = r as { key: string; workspace: string; projectName: string; archived: boolean; url: string }
      assert.strictEqual(e.key, KEY)
      assert.strictEqual(e.workspace, ws.name)
      assert.strictEqual(e.projectName, project.projectName)
      assert.strictEqual(e.url, `http://127.0.0.1:4820/${ws.name}/${project.projectName}/${KEY}`)
    }
  },
  {
    name: "getExperiment('ws/proj/key')",
    effect: (api) => api.getExperiment(`${ws.name}/${project.projectName}/${KEY}`),
    facade: (api) => api.getExperiment(`${ws.name}/${project.projectName}/${KEY}`),
    check: (r) => assert.strictEqual((r as { key: string }).key, KEY)
  },
  {
    name: "getExperimentByKey",
    effect: (api) => api.getExperimentByKey(KEY),
    facade: (api) => api.getExperimentByKey(KEY),
    check: (r) => assert.strictEqual((r as { key: string }).key, KEY)
  },
  {
    name: "getExperimentById",
    effect: (api) => api.getExperimentById(KEY),
    facade: (api) => api.getExperimentById(KEY),
    check: (r) => assert.strictEqual((r as { key: string }).key, KEY)
  },
  {
    name: "getExperiments(ws, proj)",
    effect: (api) => api.getExperiments(ws.name, project.projectName),
    facade: (api) => api.getExperiments(ws.name, project.projectName),
    check: (r) => assert.deepStrictEqual(sorted(keysOf(r)), sorted(live.map((e) => e.experimentKey)))
  },
  {
    name: "getExperiments(ws)",
    effect: (api) => api.getExperiments(ws.name),
    facade: (api) => api.getExperiments(ws.name),
    check: (r) =>
      assert.deepStrictEqual(
        sorted(keysOf(r)),
        sorted(ws.projects.flatMap((p) => p.experiments.filter((e) => !e.archived).map((e) => e.experimentKey)))
      )
  },
  {
    name: "getExperiments(ws, proj, pattern)",
    effect: (api) => api.getExperiments(ws.name, project.projectName, KEY.slice(0, 6)),
    facade: (api) => api.getExperiments(ws.name, project.projectName, KEY.slice(0, 6)),
    check: (r) =>
      assert.deepStrictEqual(
        keysOf(r),
        live
          .filter((e) => e.experimentKey.startsWith(KEY.slice(0, 6)) || e.experimentName?.startsWith(KEY.slice(0, 6)))
          .map((e) => e.experimentKey)
      )
  },
  {
    name: "getArchivedExperiments",
    effect: (api) => api.getArchivedExperiments(ws.name, project.projectName),
    facade: (api) => api.getArchivedExperiments(ws.name, project.projectName),
    check: (r) => assert.deepStrictEqual(sorted(keysOf(r)), sorted(archived.map((e) => e.experimentKey)))
  },
  {
    name: "getExperimentMetadata",
    effect: (api) => api.getExperimentMetadata(KEY),
    facade: (api) => api.getExperimentMetadata(KEY),
    check: (r) => {
      const m = r as Record<string, unknown>
      assert.strictEqual(m.experimentKey, KEY)
      assert.strictEqual(m.startTimeMillis, exp.startTimeMillis)
      assert.strictEqual(m.durationMillis, exp.durationMillis ?? null)
      assert.strictEqual(m.userName, exp.userName ?? null)
      assert.strictEqual(m.running, exp.running)
    }
  },
  {
    name: "getExperimentMetric",
    effect: (api) => api.getExperimentMetric(KEY, "loss"),
    facade: (api) => api.getExperimentMetric(KEY, "loss"),
    check: (r) => {
      const points = r as ReadonlyArray<{ metricName: string; metricValue: string; step: number | null }>
      const series = Emulator.Series.materialize(exp.metrics.find((m) => m.name === "loss")!)
      assert.strictEqual(points.length, series.length)
      assert.deepStrictEqual(
        points.map((p) => Number(p.metricValue)),
        Array.from(series.values)
      )
      assert.deepStrictEqual(
        points.map((p) => p.step),
        Array.from(series.steps)
      )
    }
  },
  {
    name: "getExperimentMetrics (every metric, one request, server order)",
    effect: (api) => api.getExperimentMetrics(KEY),
    facade: (api) => api.getExperimentMetrics(KEY),
    check: (r) => {
      const points = r as ReadonlyArray<{ metricName: string; timestamp: number | null }>
      const total = exp.metrics.reduce((n, m) => n + Emulator.Series.seriesLength(m), 0)
      assert.strictEqual(points.length, total)
      assert.sameMembers([...new Set(points.map((p) => p.metricName))], seriesNames)
      // The emulator lists them as Comet does: in logging order.
      for (let i = 1; i < points.length; i++)
        assert.isAtLeast(points[i]!.timestamp as number, points[i - 1]!.timestamp as number)
    }
  },
  {
    name: "getExperimentState",
    effect: (api) => api.getExperimentState(KEY),
    facade: (api) => api.getExperimentState(KEY),
    check: (r) => assert.strictEqual(r, exp.running ? "running" : exp.hasCrashed ? "crashed" : "finished")
  },
  {
    name: "getExperimentMetricsSummaries",
    effect: (api) => api.getExperimentMetricsSummaries(KEY),
    facade: (api) => api.getExperimentMetricsSummaries(KEY),
    check: (r) => {
      const s = r as ReadonlyArray<{ name: string; valueCurrent: string | null; valueMax: string | null }>
      assert.deepStrictEqual(sorted(s.map((x) => x.name)), sorted(seriesNames))
      const loss = Emulator.Series.materialize(exp.metrics.find((m) => m.name === "loss")!)
      const current = s.find((x) => x.name === "loss")
      assert.strictEqual(Number(current?.valueCurrent), loss.values[loss.length - 1])
      assert.strictEqual(Number(current?.valueMax), Math.max(...Array.from(loss.values)))
    }
  },
  {
    name: "getExperimentParametersSummaries",
    effect: (api) => api.getExperimentParametersSummaries(KEY),
    facade: (api) => api.getExperimentParametersSummaries(KEY),
    check: (r) => {
      const s = r as ReadonlyArray<{ name: string; valueCurrent: string | null }>
      for (const p of exp.params) {
        assert.strictEqual(s.find((x) => x.name === p.name)?.valueCurrent, p.value === null ? null : String(p.value))
      }
    }
  },
  {
    name: "getExperimentOthersSummaries",
    effect: (api) => api.getExperimentOthersSummaries(KEY),
    facade: (api) => api.getExperimentOthersSummaries(KEY),
    check: (r) => {
      const s = r as ReadonlyArray<{ name: string; valueCurrent: string | null }>
      for (const o of exp.others) {
        assert.strictEqual(s.find((x) => x.name === o.name)?.valueCurrent, o.value === null ? null : String(o.value))
      }
    }
  },
  {
    name: "getExperimentName",
    effect: (api) => api.getExperimentName(KEY, { maxLength: 5 }),
    facade: (api) => api.getExperimentName(KEY, { maxLength: 5 }),
    check: (r) => {
      const name = exp.others.find((o) => o.name === "Name")?.value ?? exp.experimentName ?? null
      assert.strictEqual(r, name === null ? null : String(name).slice(0, 5))
    }
  },
  {
    name: "getExperimentUrl",
    effect: (api) => api.getExperimentUrl(KEY),
    facade: (api) => api.getExperimentUrl(KEY),
    check: (r) => assert.strictEqual(r, `http://127.0.0.1:4820/${ws.name}/${project.projectName}/${KEY}`)
  },
  {
    name: "getExperimentTags",
    effect: (api) => api.getExperimentTags(KEY),
    facade: (api) => api.getExperimentTags(KEY),
    check: (r) => assert.deepStrictEqual(r, exp.tags)
  },
  {
    name: "getExperimentCode",
    effect: (api) => api.getExperimentCode(KEY),
    facade: (api) => api.getExperimentCode(KEY),
    check: (r) => assert.strictEqual(r, exp.code ?? null)
  },
  {
    name: "getExperimentOutput",
    effect: (api) => api.getExperimentOutput(KEY),
    facade: (api) => api.getExperimentOutput(KEY),
    check: (r) => assert.strictEqual(r, exp.output)
  },
  {
    name: "getExperimentHtml",
    effect: (api) => api.getExperimentHtml(KEY),
    facade: (api) => api.getExperimentHtml(KEY),
    check: (r) => assert.strictEqual(r, exp.html ?? null)
  },
  {
    name: "getExperimentGraph",
    effect: (api) => api.getExperimentGraph(KEY),
    facade: (api) => api.getExperimentGraph(KEY),
    check: (r) => assert.strictEqual(r, exp.graph ?? null)
  },
  {
    name: "getExperimentModelGraph",
    effect: (api) => api.getExperimentModelGraph(KEY),
    facade: (api) => api.getExperimentModelGraph(KEY),
    check: (r) => assert.strictEqual(r, exp.graph ?? null)
  },
  {
    name: "getModelGraph",
    effect: (api) => api.getModelGraph(KEY),
    facade: (api) => api.getModelGraph(KEY),
    check: (r) => assert.strictEqual(r, exp.graph ?? null)
  },
  {
    name: "getExperimentInstalledPackages",
    effect: (api) => api.getExperimentInstalledPackages(KEY),
    facade: (api) => api.getExperimentInstalledPackages(KEY),
    check: (r) => assert.deepStrictEqual(r, exp.systemDetails.installedPackages ?? [])
  },
  {
    name: "getExperimentOsPackages",
    effect: (api) => api.getExperimentOsPackages(KEY),
    facade: (api) => api.getExperimentOsPackages(KEY),
    check: (r) => assert.deepStrictEqual(r, exp.systemDetails.osPackages ?? [])
  },
  {
    name: "getExperimentAssetList",
    effect: (api) => api.getExperimentAssetList(KEY),
    facade: (api) => api.getExperimentAssetList(KEY),
    check: (r) => {
      const list = r as ReadonlyArray<{ assetId: string; fileName: string }>
      assert.deepStrictEqual(sorted(list.map((a) => a.assetId)), sorted(exp.assets.map((a) => a.assetId)))
    }
  },
  {
    name: "getExperimentAssetList(image)",
    effect: (api) => api.getExperimentAssetList(KEY, { assetType: "image" }),
    facade: (api) => api.getExperimentAssetList(KEY, { assetType: "image" }),
    check: (r) =>
      assert.deepStrictEqual(
        sorted((r as ReadonlyArray<{ assetId: string }>).map((a) => a.assetId)),
        sorted(imageAssets.map((a) => a.assetId))
      )
  },
  {
    name: "getExperimentImages",
    effect: (api) => api.getExperimentImages(KEY),
    facade: (api) => api.getExperimentImages(KEY),
    check: (r) => {
      const list = r as ReadonlyArray<{ assetId: string; image: boolean }>
      assert.deepStrictEqual(sorted(list.map((a) => a.assetId)), sorted(imageAssets.map((a) => a.assetId)))
      assert.isTrue(list.every((a) => a.image))
    }
  },
  {
    name: "getExperimentAsset (binary, a PNG)",
    effect: (api) => api.getExperimentAsset(KEY, imageAssets[0]!.assetId),
    facade: (api) => api.getExperimentAsset(KEY, imageAssets[0]!.assetId),
    check: (r) => {
      const bytes = r as Uint8Array
      assert.deepStrictEqual(Array.from(bytes.slice(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    }
  },
  {
    name: "getExperimentAsset (text)",
    effect: (api) => api.getExperimentAsset(KEY, textAsset!.assetId, { returnType: "text" }),
    facade: (api) => api.getExperimentAsset(KEY, textAsset!.assetId, { returnType: "text" }),
    check: (r) => {
      const c = textAsset!.content
      assert.strictEqual(r, "text" in c ? c.text : JSON.stringify("json" in c ? c.json : null))
    }
  },
  {
    name: "getExperimentAssetByName (json)",
    effect: (api) => api.getExperimentAssetByName(KEY, firstCurve!.fileName, { returnType: "json" }),
    facade: (api) => api.getExperimentAssetByName(KEY, firstCurve!.fileName, { returnType: "json" }),
    check: (r) => {
      const c = firstCurve!.content
      assert.deepStrictEqual(r, "json" in c ? c.json : JSON.parse("text" in c ? c.text : "null"))
    }
  },
  {
    name: "getExperimentCurves",
    effect: (api) => api.getExperimentCurves(KEY),
    facade: (api) => api.getExperimentCurves(KEY),
    check: (r) => {
      const curves = r as ReadonlyArray<{
        name: string
        assetId: string
        step: number | null
        x: ReadonlyArray<number>
      }>
      const expected = exp.assets.filter((a) => a.type === "curve")
      assert.deepStrictEqual(sorted(curves.map((c) => c.assetId)), sorted(expected.map((a) => a.assetId)))
      for (const c of curves) {
        const a = expected.find((x) => x.assetId === c.assetId)!
        assert.strictEqual(c.step, a.step ?? null)
        const json = ("json" in a.content ? a.content.json : null) as { x: Array<number> } | null
        if (json !== null) assert.deepStrictEqual(c.x, json.x)
      }
    }
  },
  {
    name: "getExperimentModels",
    effect: (api) => api.getExperimentModels(KEY),
    facade: (api) => api.getExperimentModels(KEY),
    check: (r) =>
      assert.deepStrictEqual(
        (r as ReadonlyArray<{ modelName: string }>).map((m) => m.modelName),
        exp.models.map((m) => m.modelName)
      )
  },
  {
    name: "getExperimentModelAssetList",
    effect: (api) => api.getExperimentModelAssetList(KEY, model!.modelName),
    facade: (api) => api.getExperimentModelAssetList(KEY, model!.modelName),
    check: (r) =>
      assert.deepStrictEqual(
        sorted((r as ReadonlyArray<{ fileName: string }>).map((a) => a.fileName)),
        sorted(model!.assets.map((a) => a.fileName))
      )
  },
  {
    name: "getMetricsForChart",
    effect: (api) => api.getMetricsForChart(panelKeys, ["loss", "accuracy"], ["batch_size"]),
    facade: (api) => api.getMetricsForChart(panelKeys, ["loss", "accuracy"], ["batch_size"]),
    check: (r) => {
      const chart = r as Record<
        string,
        {
          metrics: ReadonlyArray<{ metricName: string; values: ReadonlyArray<number> }>
          params: Record<string, unknown> | null
        }
      >
      assert.deepStrictEqual(Object.keys(chart), panelKeys)
      for (const k of panelKeys) {
        const e = project.experiments.find((x) => x.experimentKey === k)!
        const loss = Emulator.Series.materialize(e.metrics.find((m) => m.name === "loss")!)
        const got = chart[k]?.metrics.find((m) => m.metricName === "loss")
        // Sampled, but the last point is always kept.
        assert.strictEqual(got?.values[got.values.length - 1], loss.values[loss.length - 1])
        assert.strictEqual(
          String(chart[k]?.params?.batch_size),
          String(e.params.find((p) => p.name === "batch_size")?.value)
        )
      }
    }
  },
  {
    name: "getMetricsForChart (fetchFull)",
    effect: (api) => api.getMetricsForChart([KEY], ["loss"], [], { fetchFull: true }),
    facade: (api) => api.getMetricsForChart([KEY], ["loss"], [], { fetchFull: true }),
    check: (r) => {
      const chart = r as Record<string, { metrics: ReadonlyArray<{ values: ReadonlyArray<number> }> }>
      const loss = Emulator.Series.materialize(exp.metrics.find((m) => m.name === "loss")!)
      assert.deepStrictEqual(chart[KEY]?.metrics[0]?.values, Array.from(loss.values))
    }
  },
  {
    name: "query (value)",
    effect: (api) => api.query(ws.name, project.projectName, Tag(exp.tags[0]!)),
    facade: (api) => api.query(ws.name, project.projectName, Tag(exp.tags[0]!)),
    check: (r) =>
      assert.deepStrictEqual(
        sorted(keysOf(r)),
        sorted(live.filter((e) => e.tags.includes(exp.tags[0]!)).map((e) => e.experimentKey))
      )
  },
  {
    name: "query (Python text, OR)",
    effect: (api) => api.query(ws.name, project.projectName, 'Tag("best") | (Parameter("batch_size") == 256)'),
    facade: (api) => api.query(ws.name, project.projectName, 'Tag("best") | (Parameter("batch_size") == 256)'),
    check: (r) =>
      assert.deepStrictEqual(
        sorted(keysOf(r)),
        sorted(
          live
            .filter(
              (e) => e.tags.includes("best") || String(e.params.find((p) => p.name === "batch_size")?.value) === "256"
            )
            .map((e) => e.experimentKey)
        )
      )
  },
  {
    name: "queryProject",
    effect: (api) =>
      api.queryProject(ws.name, project.projectName, [
        {
          source: "tag",
          query: {
            condition: "AND",
            rules: [{ id: "best", field: "best", type: "string", operator: "equal", value: "best" }],
            valid: true
          }
        }
      ]),
    facade: (api) =>
      api.queryProject(ws.name, project.projectName, [
        {
          source: "tag",
          query: {
            condition: "AND",
            rules: [{ id: "best", field: "best", type: "string", operator: "equal", value: "best" }],
            valid: true
          }
        }
      ]),
    check: (r) =>
      assert.deepStrictEqual(
        sorted(r as Array<string>),
        sorted(live.filter((e) => e.tags.includes("best")).map((e) => e.experimentKey))
      )
  },
  {
    name: "getPanelExperimentKeys",
    effect: (api) => api.getPanelExperimentKeys(),
    facade: (api) => api.getPanelExperimentKeys(),
    check: (r) => assert.deepStrictEqual(r, panelKeys)
  },
  {
    name: "getPanelExperiments",
    effect: (api) => api.getPanelExperiments(),
    facade: (api) => api.getPanelExperiments(),
    check: (r) => assert.deepStrictEqual(keysOf(r), panelKeys)
  },
  {
    name: "getPanelMetricsNames",
    effect: (api) => api.getPanelMetricsNames(),
    facade: (api) => api.getPanelMetricsNames(),
    check: (r) => {
      const names = r as ReadonlyArray<string>
      assert.isTrue(names.includes("loss"))
      assert.isFalse(names.some((n) => n.startsWith("sys.")))
      assert.deepStrictEqual(names, sorted(names))
    }
  },
  {
    name: "getPanelMetricsNames(includeSys)",
    effect: (api) => api.getPanelMetricsNames({ includeSys: true }),
    facade: (api) => api.getPanelMetricsNames({ includeSys: true }),
    check: (r) => assert.isTrue((r as ReadonlyArray<string>).some((n) => n.startsWith("sys.")))
  },
  {
    name: "getPanelOptions",
    effect: (api) => api.getPanelOptions(),
    facade: (api) => api.getPanelOptions(),
    check: (r) => assert.deepStrictEqual(r, { instanceId: "panel-1", metric: "loss" })
  },
  {
    name: "getPanelProjectId",
    effect: (api) => api.getPanelProjectId(),
    facade: (api) => api.getPanelProjectId(),
    check: (r) => assert.strictEqual(r, project.projectId)
  },
  {
    name: "getPanelProjectName",
    effect: (api) => api.getPanelProjectName(),
    facade: (api) => api.getPanelProjectName(),
    check: (r) => assert.strictEqual(r, project.projectName)
  },
  {
    name: "getPanelWorkspace",
    effect: (api) => api.getPanelWorkspace(),
    facade: (api) => api.getPanelWorkspace(),
    check: (r) => assert.strictEqual(r, ws.name)
  }
]

describe("every seed method over the emulator", () => {
  it.effect("through CometApi and through the facade, the same values, matching the dataset", () =>
    Effect.gen(function* () {
      const api = yield* CometApi
      const facade = newFacade()
      try {
        for (const c of cases) {
          const viaEffect = yield* c.effect(api).pipe(Effect.mapError((e) => new Error(`${c.name}: ${String(e)}`)))
          c.check(viaEffect)
          const viaFacade = yield* Effect.promise(() => c.facade(facade))
          c.check(viaFacade)
          assert.deepStrictEqual(plain(viaFacade), plain(viaEffect), c.name)
        }
      } finally {
        yield* Effect.promise(() => facade.close())
      }
    }).pipe(Effect.provide(Live))
  )

  it.effect("getPanelRequestCount and getPanelReport count what the server saw", () =>
    Effect.gen(function* () {
      const api = yield* CometApi
      const server = yield* Emulator.Emulator
      const before = (yield* server.stats.snapshot).requests
      yield* api.getWorkspaces()
      yield* api.getExperimentTags(KEY)
      yield* api.getExperimentMetadata(KEY)
      const count = yield* api.getPanelRequestCount()
      assert.strictEqual(count, 3)
      assert.strictEqual((yield* server.stats.snapshot).requests - before, 3)
      const report = yield* api.getPanelReport()
      assert.include(report, "3 HTTP requests sent for 3 reads of ")
      assert.include(report, "http://127.0.0.1:4820")
      assert.include(report, "experiment/tags")
      assert.include(report, "Retries: none.")
    }).pipe(Effect.provide(Testing.layerClient(Emulator.layerClient({ dataset }))))
  )
})

describe("every APIExperiment read method", () => {
  it.effect("Experiment (Effect) and APIExperiment (facade) agree with the dataset", () =>
    Effect.gen(function* () {
      const api = yield* CometApi
      const e = yield* api.getExperimentByKey(KEY)
      const facade = newFacade()
      const f = yield* Effect.promise(() => facade.getExperimentByKey(KEY))
      const both = <A>(name: string, a: Effect.Effect<A, unknown>, b: () => Promise<A>, check: (x: A) => void) =>
        Effect.gen(function* () {
          const x = yield* a.pipe(Effect.mapError((err) => new Error(`${name}: ${String(err)}`)))
          check(x)
          const y = yield* Effect.promise(b)
          check(y)
          assert.deepStrictEqual(plain(y), plain(x), name)
        })
      try {
        assert.strictEqual(e.key, KEY)
        assert.strictEqual(f.id, KEY)
        assert.strictEqual(f.url, e.url)
        assert.strictEqual(f.name, exp.experimentName ?? null)
        yield* both(
          "getMetadata",
          e.getMetadata(),
          () => f.getMetadata(),
          (m) => assert.strictEqual(m.experimentKey, KEY)
        )
        yield* both(
          "getMetrics(name)",
          e.getMetrics("val_loss"),
          () => f.getMetrics("val_loss"),
          (ps) =>
            assert.strictEqual(
              ps.length,
              Emulator.Series.materialize(exp.metrics.find((m) => m.name === "val_loss")!).length
            )
        )
        yield* both(
          "getMetrics()",
          e.getMetrics(),
          () => f.getMetrics(),
          (ps) => {
            assert.deepStrictEqual(sorted([...new Set(ps.map((p) => p.metricName))]), sorted(seriesNames))
            assert.strictEqual(
              ps.length,
              exp.metrics.reduce((n, m) => n + Emulator.Series.seriesLength(m), 0)
            )
          }
        )
        yield* both(
          "getMetricsSummary()",
          e.getMetricsSummary(),
          () => f.getMetricsSummary(),
          (s) => assert.strictEqual(s.length, seriesNames.length)
        )
        yield* both(
          "getMetricsSummary(name)",
          e.getMetricsSummary("loss"),
          () => f.getMetricsSummary("loss"),
          (s) => assert.strictEqual(s.name, "loss")
        )
        yield* both(
          "getParametersSummary(name)",
          e.getParametersSummary("batch_size"),
          () => f.getParametersSummary("batch_size"),
          (s) => assert.strictEqual(s.valueCurrent, String(exp.params.find((p) => p.name === "batch_size")?.value))
        )
        yield* both(
          "getParametersSummary()",
          e.getParametersSummary(),
          () => f.getParametersSummary(),
          (s) => assert.strictEqual(s.length, exp.params.length)
        )
        yield* both(
          "getOthersSummary()",
          e.getOthersSummary(),
          () => f.getOthersSummary(),
          (s) => assert.isTrue(exp.others.every((o) => s.some((x) => x.name === o.name)))
        )
        yield* both(
          "getTags",
          e.getTags(),
          () => f.getTags(),
          (t) => assert.deepStrictEqual(t, exp.tags)
        )
        yield* both(
          "getAssetList",
          e.getAssetList(),
          () => f.getAssetList(),
          (l) => assert.strictEqual(l.length, exp.assets.length)
        )
        yield* both(
          "getAssetList(image)",
          e.getAssetList("image"),
          () => f.getAssetList("image"),
          (l) => assert.strictEqual(l.length, imageAssets.length)
        )
        yield* both(
          "getAsset",
          e.getAsset(imageAssets[0]!.assetId),
          () => f.getAsset(imageAssets[0]!.assetId),
          (b) => assert.strictEqual(b[1], 0x50)
        )
        yield* both(
          "getAssetByName",
          e.getAssetByName(firstCurve!.fileName, { returnType: "json" }),
          () => f.getAssetByName(firstCurve!.fileName, { returnType: "json" }),
          (j) => assert.isObject(j)
        )
        yield* both(
          "getImages",
          e.getImages(),
          () => f.getImages(),
          (l) => assert.strictEqual(l.length, imageAssets.length)
        )
        yield* both(
          "getCurves",
          e.getCurves(),
          () => f.getCurves(),
          (c) => assert.strictEqual(c.length, exp.assets.filter((a) => a.type === "curve").length)
        )
        yield* both(
          "getCode",
          e.getCode(),
          () => f.getCode(),
          (c) => assert.strictEqual(c, exp.code ?? null)
        )
        yield* both(
          "getOutput",
          e.getOutput(),
          () => f.getOutput(),
          (o) => assert.strictEqual(o, exp.output)
        )
        yield* both(
          "getHtml",
          e.getHtml(),
          () => f.getHtml(),
          (h) => assert.strictEqual(h, exp.html ?? null)
        )
        yield* both(
          "getModelGraph",
          e.getModelGraph(),
          () => f.getModelGraph(),
          (g) => assert.strictEqual(g, exp.graph ?? null)
        )
        yield* both(
          "getInstalledPackages",
          e.getInstalledPackages(),
          () => f.getInstalledPackages(),
          (p) => assert.deepStrictEqual(p, exp.systemDetails.installedPackages ?? [])
        )
        yield* both(
          "getOsPackages",
          e.getOsPackages(),
          () => f.getOsPackages(),
          (p) => assert.deepStrictEqual(p, exp.systemDetails.osPackages ?? [])
        )
        yield* both(
          "getSystemDetails",
          e.getSystemDetails(),
          () => f.getSystemDetails(),
          (d) => {
            assert.strictEqual(d.pid, exp.systemDetails.pid ?? null)
            assert.strictEqual(d.hostname, exp.systemDetails.hostname ?? null)
          }
        )
        yield* both(
          "getGitMetadata",
          e.getGitMetadata(),
          () => f.getGitMetadata(),
          (g) => {
            assert.strictEqual(g.branch, exp.git?.branch ?? null)
            assert.strictEqual(g.origin, exp.git?.origin ?? null)
          }
        )
        yield* both(
          "getGitPatch",
          e.getGitPatch(),
          () => f.getGitPatch(),
          (p) => {
            const patch = exp.git?.patch
            if (patch === undefined || patch === null) assert.isNull(p)
            else if ("base64" in patch)
              assert.deepStrictEqual(Array.from(p ?? []), Array.from(Buffer.from(patch.base64, "base64")))
          }
        )
        yield* both(
          "getModels",
          e.getModels(),
          () => f.getModels(),
          (m) => assert.strictEqual(m.length, exp.models.length)
        )
        yield* both(
          "getModelNames",
          e.getModelNames(),
          () => f.getModelNames(),
          (m) => assert.deepStrictEqual(m, [...new Set(exp.models.map((x) => x.modelName))])
        )
        yield* both(
          "getModelAssetList",
          e.getModelAssetList(model!.modelName),
          () => f.getModelAssetList(model!.modelName),
          (l) => assert.strictEqual(l.length, model!.assets.length)
        )
        yield* both(
          "getName",
          e.getName(),
          () => f.getName(),
          (n) =>
            assert.strictEqual(
              n,
              String(exp.others.find((o) => o.name === "Name")?.value ?? exp.experimentName ?? null) === "null"
                ? null
                : n
            )
        )
        yield* both(
          "getMetricsForChart",
          e.getMetricsForChart(["loss"]),
          () => f.getMetricsForChart(["loss"]),
          (c) => assert.strictEqual(c?.experimentKey, KEY)
        )
        const streamed = yield* e.streamAsset(imageAssets[0]!.assetId).pipe(Stream.runCollect)
        const whole = yield* e.getAsset(imageAssets[0]!.assetId)
        assert.strictEqual(
          [...streamed].reduce((n, c) => n + c.length, 0),
          whole.length
        )
        let facadeBytes = 0
        yield* Effect.promise(async () => {
          for await (const chunk of f.streamAsset(imageAssets[0]!.assetId)) facadeBytes += chunk.length
        })
        assert.strictEqual(facadeBytes, whole.length)
      } finally {
        yield* Effect.promise(() => facade.close())
      }
    }).pipe(Effect.provide(ApiLive))
  )
})

describe("typed errors over the emulator", () => {
  it.effect("unknown experiment, asset, model and project are NotFound", () =>
    Effect.gen(function* () {
      const api = yield* CometApi
      const unknownKey = "0".repeat(32)
      for (const eff of [
        api.getExperimentByKey(unknownKey),
        api.getExperimentTags(unknownKey),
        api.getExperimentAsset(KEY, "no-such-asset"),
        api.getExperimentAssetByName(KEY, "no-such-file.txt"),
        api.getProject(ws.name, "no-such-project"),
        api.get(`${ws.name}/${project.projectName}/no-such-name`)
      ] as ReadonlyArray<Effect.Effect<unknown, unknown>>) {
        const error = yield* Effect.flip(eff)
        assert.instanceOf(error, NotFound)
      }
    }).pipe(Effect.provide(ApiLive))
  )

  it("the facade rejects with the same instances", async () => {
    const api = newFacade()
    try {
      const error = await api.getExperimentByKey("0".repeat(32)).catch((e: unknown) => e)
      assert.instanceOf(error, NotFound)
      assert.strictEqual((error as NotFound)._tag, "NotFound")
      assert.strictEqual((error as NotFound).resource, "experiment")
    } finally {
      await api.close()
    }
  })
})

describe("query values and the builder", () => {
  it.effect("builder queries and Python text give the same experiments", () =>
    Effect.gen(function* () {
      const api = yield* CometApi
      const built = yield* api.query(
        ws.name,
        project.projectName,
        Metric("loss").lt(1).and(Parameter("batch_size").eq(256))
      )
      const text = yield* api.query(
        ws.name,
        project.projectName,
        '(Metric("loss") < 1) & (Parameter("batch_size") == 256)'
      )
      assert.deepStrictEqual(
        built.map((e) => e.key),
        text.map((e) => e.key)
      )
      const keys = yield* api.queryProject(ws.name, project.projectName, Tag("best"))
      const viaQuery = yield* api.query(ws.name, project.projectName, Tag("best"))
      assert.deepStrictEqual(
        keys,
        viaQuery.map((e) => e.key)
      )
      const dnf = yield* api.query(ws.name, project.projectName, 'Tag("best") | (Parameter("batch_size") == 256)', {
        orStrategy: "dnf"
      })
      const nested = yield* api.query(ws.name, project.projectName, 'Tag("best") | (Parameter("batch_size") == 256)')
      assert.deepStrictEqual(sorted(dnf.map((e) => e.key)), sorted(nested.map((e) => e.key)))
    }).pipe(Effect.provide(ApiLive))
  )
})
