import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Schema } from "effect"
import { decodeJsonText, decodeWire } from "../src/Decode.js"
import * as Core from "../src/index.js"
import { recordedDir, recordedSchemas } from "./recorded.js"

const read = (name: string): unknown => JSON.parse(readFileSync(join(recordedDir, name), "utf8"))

const decodeOk = <A, I>(schema: Schema.Schema<A, I, never>, value: unknown): A => {
  const exit = Effect.runSyncExit(decodeWire(schema, "test")(value))
  if (Exit.isFailure(exit)) assert.fail(`did not decode: ${String(exit.cause)}`)
  return exit.value
}

const decodeErr = (schema: Schema.Schema.AnyNoContext, value: unknown) => {
  const exit = Effect.runSyncExit(decodeWire(schema, "the/endpoint")(value))
  if (Exit.isSuccess(exit)) return assert.fail("decoded, but should not have")
  const err = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  assert.instanceOf(err, Core.DecodeError)
  return err as Core.DecodeError
}

describe("recorded Comet responses decode", () => {
  it("every recorded fixture has a schema and decodes", () => {
    const files = readdirSync(recordedDir).filter((f) => f.endsWith(".json"))
    assert.strictEqual(files.length, 6)
    for (const f of files) {
      const schema = recordedSchemas[f]
      assert.isDefined(schema, `no schema for ${f}`)
      if (schema !== undefined) decodeOk(schema, read(f))
    }
  })

  it("keeps the recorded values", () => {
    const projects = decodeOk(Core.ProjectList, read("projects-dafb61.json"))
    assert.deepStrictEqual(projects.projects[0], {
      projectId: "ebfbbc1212004f92b618d50db41f27f3" as Core.ProjectId,
      projectName: "cometrtestproject",
      ownerUserName: "testuser-cometr",
      projectDescription: "cometrtestdescription",
      workspaceName: "testuser-cometr",
      numberOfExperiments: 1,
      lastUpdated: 1587670596951,
      public: true
    })
    const exps = decodeOk(Core.ExperimentList, read("experiments-1280bb.json"))
    assert.strictEqual(exps.experiments[0]?.experimentKey, "c352827bcdcb45e3ad40d0decec0b43c")
    assert.strictEqual(exps.experiments[0]?.optimizationId, null)
    assert.strictEqual(exps.experiments[0]?.archived, false)
    const cols = decodeOk(Core.ColumnList, read("project_column-names-1280bb.json"))
    assert.strictEqual(cols.columns.length, 18)
    assert.isTrue(cols.columns.every(Core.isKnownColumn))
    const chart = decodeOk(Core.MetricsChartResponse, read("experiments_multi-metric-chart-df83ef-POST.json"))
    assert.deepStrictEqual(chart, { experiments: {}, empty: true })
    assert.deepStrictEqual(decodeOk(Core.WorkspaceList, read("workspaces.json")), {
      workspaceNames: ["testuser-cometr"]
    })
  })
})

describe("comet-rest-v2.md examples decode", () => {
  it("§2.1 workspaces, §2.2 account details", () => {
    decodeOk(Core.WorkspaceList, { workspaceNames: ["testuser-cometr", "another-team"] })
    const a = decodeOk(Core.AccountDetails, { userName: "USERNAME", defaultWorkspaceName: "WORKSPACE" })
    assert.strictEqual(a.defaultWorkspaceName, "WORKSPACE")
  })

  it("§2.5 projects/page (counts as strings in rows, numbers at the top)", () => {
    const page = decodeOk(Core.ProjectPage, {
      rows: [
        {
          projectId: "4a2c7b0e5d6f48a1b3c9e8d7f6a5b4c3",
          userName: "owner",
          projectName: "project-name",
          projectDesc: "…",
          generalProject: true,
          totalRowCount: "205",
          filteredRowCount: "205",
          experimentCount: 772,
          imagePath: "https://…/4.png",
          isPublic: false,
          teamId: "owner-default",
          created_at: 1536971527000,
          lastUpdated: 1643135859918,
          lastUpdatedByUser: 1614970814926,
          isStarterProject: false,
          teamName: "owner",
          isInProjectTeam: false,
          owner: true,
          canEdit: true
        }
      ],
      filteredRowCount: 205,
      totalRowCount: 205
    })
    assert.strictEqual(page.rows[0]?.totalRowCount, 205)
    assert.strictEqual(page.totalRowCount, 205)
  })

  it("§2.6 notes, §2.7 column names", () => {
    assert.strictEqual(
      decodeOk(Core.ProjectNotes, { notes: "These are my project-level notes" }).notes,
      "These are my project-level notes"
    )
    const cols = decodeOk(Core.ColumnList, {
      columns: [
        { name: "experimentKey", id: "experimentKey--metadata", type: "string", source: "metadata" },
        { name: "duration", id: "duration--metadata", type: "timenumber", source: "metadata" },
        {
          name: "start_server_timestamp",
          id: "start_server_timestamp--metadata",
          type: "datetime",
          source: "metadata"
        },
        { name: "hasImages", id: "hasImages--metadata", type: "boolean", source: "metadata" },
        { name: "Name", id: "Name--log_other", type: "string", source: "log_other" },
        { name: "loss", id: "loss--metrics", type: "double", source: "metrics" },
        { name: "lr", id: "lr--params", type: "double", source: "params" },
        { name: "my_tag", id: "my_tag--tag", type: "string", source: "tag" },
        { name: "os", id: "os--env_details", type: "string", source: "env_details" }
      ]
    })
    assert.strictEqual(cols.columns.length, 9)
    // An unknown source from a newer server decodes (and is not "known").
    const odd = decodeOk(Core.ColumnList, {
      columns: [{ name: "x", id: "x--future", type: "vector", source: "future" }]
    })
    assert.isFalse(Core.isKnownColumn(odd.columns[0]!))
  })

  it("§2.9 experiment metadata", () => {
    const m = decodeOk(Core.ExperimentMetadata, {
      experimentKey: "5a67221477dc5d76b37d10adbe41486d",
      experimentName: null,
      optimizationId: null,
      projectId: "0306c896110140a2aaa24e54dbb40e6b",
      projectName: "my-project-name",
      workspaceName: "myworkspace",
      userName: "someone",
      filePath: null,
      fileName: null,
      durationMillis: 72,
      startTimeMillis: 1572435384908,
      endTimeMillis: 1572435457349,
      archived: false,
      running: false,
      throttle: false
    })
    assert.strictEqual(m.durationMillis, 72)
    assert.strictEqual(m.throttleMessage, null)
    assert.strictEqual(m.userName, "someone")
  })

  it("§3.2 summaries keep string values; §3.4 metric points", () => {
    const s = decodeOk(Core.SummaryList, {
      values: [
        {
          name: "val_loss",
          valueMax: "0.24951280827820302",
          valueMin: "0.13101346811652184",
          valueCurrent: "0.13101346811652184",
          timestampMax: 1558962367938,
          timestampMin: 1558962367938,
          timestampCurrent: 1558962376383,
          runContextMax: null,
          runContextMin: null,
          runContextCurrent: null,
          stepMax: 500,
          stepMin: 1500,
          stepCurrent: 1500,
          editable: false
        }
      ]
    })
    assert.strictEqual(s.values[0]?.valueMax, "0.24951280827820302")
    // Parameter summaries as the docstrings show them (no step/runContext keys).
    const p = decodeOk(Core.SummaryList, {
      values: [
        {
          name: "batch_size",
          valueMax: "120",
          valueMin: "120",
          valueCurrent: "120",
          timestampMax: 1,
          timestampMin: 1,
          timestampCurrent: 1
        }
      ]
    })
    assert.strictEqual(p.values[0]?.stepCurrent, null)
    assert.strictEqual(p.values[0]?.editable, false)
    const h = decodeOk(Core.MetricHistory, {
      metrics: [
        {
          metricName: "acc",
          metricValue: "0.876",
          timestamp: 1564536453647,
          step: 100,
          epoch: null,
          runContext: null,
          offset: 17
        }
      ]
    })
    assert.strictEqual(h.metrics[0]?.metricValue, "0.876")
    assert.strictEqual(h.metrics[0]?.offset, 17)
  })

  it("§3.5 multi-metric chart request and response", () => {
    decodeOk(Core.MetricsChartRequest, {
      targetedExperiments: ["expKey1", "expKey2"],
      metrics: ["loss", "acc"],
      params: ["lr", "batch_size"],
      independentMetrics: true,
      fetchFull: false
    })
    const r = decodeOk(Core.MetricsChartResponse, {
      experiments: {
        expKey1: {
          experimentKey: "expKey1",
          experimentName: "brave_otter_123",
          steps: null,
          epochs: null,
          metrics: [
            {
              metricName: "loss",
              values: [0.9, 0.5, 0.3],
              steps: [0, 1, 2],
              epochs: [null, null, null],
              timestamps: [1700000000000, 1700000001000, 1700000002000],
              durations: [0, 1000, 2000]
            }
          ],
          params: { lr: "0.001", batch_size: "32" }
        }
      },
      empty: false
    })
    assert.deepStrictEqual(r.experiments.expKey1?.metrics[0]?.values, [0.9, 0.5, 0.3])
    assert.deepStrictEqual(r.experiments.expKey1?.params, { lr: "0.001", batch_size: "32" })
    // Values sent as strings are read as numbers, as the Python SDK does with float().
    const s = decodeOk(Core.ChartMetric, { metricName: "m", values: ["0.5", 1, "NaN", null] })
    assert.strictEqual(s.values[0], 0.5)
    assert.isTrue(Number.isNaN(s.values[2] as number))
    assert.strictEqual(s.values[3], null)
  })

  it("§3.3 single-key reads, §3.8 system details, §3.9 git", () => {
    assert.deepStrictEqual(decodeOk(Core.Tags, { tags: ["t1", "t2"] }).tags, ["t1", "t2"])
    assert.strictEqual(decodeOk(Core.Code, { code: "import comet_ml" }).code, "import comet_ml")
    assert.strictEqual(decodeOk(Core.Output, { output: "" }).output, "")
    assert.strictEqual(
      decodeOk(Core.Graph, { graph: '{"class_name":"Sequential"}' }).graph,
      '{"class_name":"Sequential"}'
    )
    assert.strictEqual(decodeOk(Core.Html, { html: "<b>x</b>" }).html, "<b>x</b>")
    const sd = decodeOk(Core.SystemDetails, {
      experimentKey: "k",
      user: "alice",
      pythonVersion: "3.10.4",
      pythonVersionVerbose: "3.10.4 (main, …)",
      pid: 12345,
      osType: "Linux",
      os: "Linux-5.15…",
      osRelease: "5.15.0",
      machine: "x86_64",
      processor: "x86_64",
      ip: "10.0.0.5",
      hostname: "box",
      totalRam: 33554432000,
      maxTotalMemory: null,
      gpuStaticInfoList: [{ gpuIndex: 0, name: "A100", uuid: "GPU-…", totalMemory: 42949672960, powerLimit: 400000 }],
      logAdditionalSystemInfoList: [{ key: "someKey", value: "someValue" }],
      systemMetricNames: ["sys.cpu.percent.01", "sys.ram.used"],
      networkInterfaceIps: ["127.0.0.1"],
      command: ["train.py", "--lr", "0.1"],
      executable: "/usr/bin/python3",
      osPackages: ["acl=2.2.52-3build1"],
      installedPackages: ["numpy==1.24.0", "comet_ml==3.32.5"]
    })
    assert.strictEqual(sd.pid, 12345)
    assert.deepStrictEqual(sd.installedPackages, ["numpy==1.24.0", "comet_ml==3.32.5"])
    // The Python SDK reads every key with []: a server that omits one sent no system details.
    assert.strictEqual(decodeErr(Core.SystemDetails, { pid: 1 }).path, "experimentKey")
    const g = decodeOk(Core.GitMetadata, {
      experimentKey: "k",
      user: "daattali",
      root: "/home/x/repo",
      branch: "dev",
      parent: "abc123",
      origin: "git@github.com:org/repo.git"
    })
    assert.strictEqual(g.branch, "dev")
  })

  it("§3.6 assets (string and numeric ids), §3.11 curves, §3.12 models", () => {
    const a = decodeOk(Core.AssetList, {
      assets: [
        {
          assetId: "9b9d1a7c0f6b4a5e8a3f2b1c0d9e8f7a",
          fileName: "My Filename.png",
          fileSize: 21113,
          runContext: null,
          step: null,
          remote: false,
          link: "https://www.comet.com/api/asset/download?experimentKey=KEY&assetId=ASSET_ID",
          compressedAssetLink: "…",
          curlDownload: "curl … ",
          createdAt: 1565898755830,
          dir: "assets",
          canView: false,
          audio: false,
          video: false,
          histogram: false,
          image: true,
          type: "image",
          metadata: null,
          tags: []
        },
        {
          assetId: 74374637463476,
          audio: false,
          canView: false,
          createdAt: 7337347634,
          dir: "trained-models",
          fileName: "model.h5",
          fileSize: 254654,
          histogram: false,
          image: false,
          link: "https://link-to-download-asset-file",
          metadata: null,
          remote: false,
          runContext: "train",
          step: 54,
          type: "asset"
        }
      ]
    })
    assert.strictEqual(a.assets[0]?.image, true)
    assert.strictEqual(a.assets[1]?.assetId, "74374637463476")
    assert.strictEqual(a.assets[1]?.video, false)
    assert.deepStrictEqual(decodeOk(Core.CurveData, { name: "curve1", x: [1, 2, 3], y: [4, 5, 6] }).y, [4, 5, 6])
    const m = decodeOk(Core.ExperimentModelList, {
      models: [
        {
          experimentModelId: "m1",
          experimentKey: "k",
          modelName: "my-model",
          registryRecords: [
            {
              registryModelId: "r",
              registryModelItemId: "i",
              registryModelName: "n",
              version: "1.0.0",
              createdAt: 1650000000000
            }
          ]
        }
      ]
    })
    assert.strictEqual(m.models[0]?.registryRecords[0]?.version, "1.0.0")
  })

  it("§4.2–§4.7 project/query request, predicates with OR groups, response", () => {
    const req = decodeOk(Core.ProjectQueryRequest, {
      workspaceName: "my-ws",
      projectName: "my-project",
      predicates: [
        {
          source: "metrics",
          query: {
            condition: "AND",
            rules: [
              { id: "loss", field: "loss", type: "double", operator: "less", value: 0.1 },
              { id: "acc", field: "acc", type: "double", operator: "greater", value: 0.9 }
            ],
            valid: true
          }
        },
        {
          source: "params",
          query: {
            condition: "AND",
            valid: true,
            rules: [{ id: "opt", field: "opt", type: "double", operator: "not_between", value: ["2", "3"] }]
          }
        },
        {
          source: "nested",
          query: {
            condition: "OR",
            rules: [
              { id: "a", field: "a", type: "double", operator: "less", value: 1, source: "metrics" },
              {
                condition: "AND",
                rules: [{ id: "best", field: "best", type: "string", operator: "equal", value: "best", source: "tag" }],
                valid: true
              }
            ],
            valid: true
          },
          negated: true
        }
      ],
      archived: false
    })
    assert.strictEqual(req.predicates.length, 3)
    const nested = req.predicates[2]?.query.rules[1]
    assert.isTrue(nested !== undefined && Core.isRuleGroup(nested))
    assert.deepStrictEqual(
      decodeOk(Core.ProjectQueryResponse, { experimentKeys: ["c352827bcdcb45e3ad40d0decec0b43c"] }).experimentKeys,
      [Core.ExperimentKey.make("c352827bcdcb45e3ad40d0decec0b43c")]
    )
  })

  it("§4.6 examples: tag, datetime, not_between, is_empty", () => {
    const tag = decodeOk(Schema.Array(Core.Predicate), [
      {
        source: "tag",
        query: {
          condition: "AND",
          rules: [{ id: "best", field: "best", type: "string", operator: "equal", value: "best" }],
          valid: true
        }
      }
    ])
    assert.strictEqual(tag[0]?.source, "tag")
    const rules: ReadonlyArray<unknown> = [
      {
        id: "start_server_timestamp",
        field: "start_server_timestamp",
        type: "datetime",
        operator: "less",
        value: "2019-09-24 05:00:00"
      },
      { id: "opt", field: "opt", type: "double", operator: "not_between", value: ["2", "3"] },
      { id: "note", field: "note", type: "string", operator: "is_empty", value: null }
    ]
    for (const rule of rules) assert.deepStrictEqual(decodeOk(Core.Rule, rule), rule)
  })

  it("§5.1 error body, §1.6 version", () => {
    assert.deepStrictEqual(
      decodeOk(Core.ErrorBody, { code: 400, msg: "Experiment key not found", sdk_error_code: 90211 }),
      {
        code: 400,
        msg: "Experiment key not found",
        sdk_error_code: 90211
      }
    )
    assert.strictEqual(decodeOk(Core.BackendVersion, { version: "3.0.0" }).version, "3.0.0")
  })
})

describe("unknown fields and broken inputs", () => {
  it("keeps fields the schema does not know", () => {
    const p = decodeOk(Core.AccountDetails, { userName: "u", defaultWorkspaceName: "w", extra: 1 })
    assert.strictEqual((p as unknown as Record<string, unknown>).extra, 1)
  })

  it("names the mismatching field", () => {
    const e1 = decodeErr(Core.ExperimentList, { experiments: [{ ...(read("experiments-1280bb.json") as object) }] })
    assert.strictEqual(e1.path, "experiments[0].experimentKey")
    const good = (read("experiments-1280bb.json") as { experiments: Array<Record<string, unknown>> }).experiments[0]
    const e2 = decodeErr(Core.ExperimentList, { experiments: [good, { ...good, durationMillis: "soon" }] })
    assert.strictEqual(e2.path, "experiments[1].durationMillis")
    assert.include(e2.message, "experiments[1].durationMillis")
    assert.include(e2.message, "the/endpoint")
    const e3 = decodeErr(Core.MetricsChartResponse, {
      experiments: { k1: { experimentKey: "k1", metrics: [{ metricName: "m", values: [1, 2, "x"] }] } }
    })
    assert.strictEqual(e3.path, "experiments.k1.metrics[0].values[2]")
    const e4 = decodeErr(Core.ColumnList, { columns: "nope" })
    assert.strictEqual(e4.path, "columns")
  })

  it("reports bodies that are not JSON, with an excerpt", () => {
    const exit = Effect.runSyncExit(
      decodeJsonText(Core.WorkspaceList, "workspaces")("<html><body>502 Bad Gateway</body></html>")
    )
    assert.isTrue(Exit.isFailure(exit))
    if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
      const e = exit.cause.error
      assert.strictEqual(e._tag, "DecodeError")
      assert.include(e.excerpt, "502 Bad Gateway")
    }
    const empty = Effect.runSyncExit(decodeJsonText(Core.WorkspaceList, "workspaces")(""))
    assert.isTrue(Exit.isFailure(empty))
    if (Exit.isFailure(empty) && empty.cause._tag === "Fail") assert.include(empty.cause.error.detail, "empty")
  })
})
