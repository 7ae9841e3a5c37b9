/**
 * The `workspace` and `projectName` options are the defaults of every call that leaves them out
 * (`undefined` or `null`), on the facade and on `CometApi`; with no default configured the call
 * is an InvalidArgument naming the option and the environment variable to set.
 */
import * as Emulator from "@comet-ts/emulator"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { CometApi, Testing } from "../src/index.js"
import { Capture, emulator, facade, SECRET } from "./support/facade.js"

const WS = "local-dev"
const PROJ = "mnist-sweep"

const keys = (xs: ReadonlyArray<{ readonly key: string }>) => xs.map((x) => x.key).sort()

describe("configured workspace and project", () => {
  it.live("every facade method that takes them uses them when left out", () =>
    Effect.promise(async () => {
      const emu = emulator()
      const located = facade(emu.fetch, new Capture(), { workspace: WS, projectName: PROJ })
      assert.deepStrictEqual(await located.getProjects(), await located.getProjects(WS))
      assert.deepStrictEqual(await located.listProjects(null), await located.listProjects(WS))
      assert.deepStrictEqual(await located.getProject(), await located.getProject(WS, PROJ))
      assert.deepStrictEqual(await located.getProjectColumns(), await located.getProjectColumns(WS, PROJ))
      assert.deepStrictEqual(
        (await located.getQueryVariables()).length,
        (await located.getQueryVariables(WS, PROJ)).length
      )
      assert.deepStrictEqual(await located.getProjectExperiments(), await located.getProjectExperiments(WS, PROJ))
      const inProject = keys(await located.getExperiments(WS, PROJ))
      assert.isAbove(inProject.length, 0)
      assert.deepStrictEqual(keys(await located.getExperiments()), inProject)
      assert.deepStrictEqual(
        keys(await located.getArchivedExperiments()),
        keys(await located.getArchivedExperiments(WS, PROJ))
      )
      const streamed: Array<{ readonly key: string }> = []
      for await (const e of located.streamExperiments()) streamed.push(e)
      assert.deepStrictEqual(keys(streamed), inProject)
      assert.deepStrictEqual(
        keys(await located.query(undefined, undefined, 'Parameter("optimizer") == "adam"')),
        keys(await located.query(WS, PROJ, 'Parameter("optimizer") == "adam"'))
      )
      assert.deepStrictEqual(
        await located.getProjectNotes(WS, PROJ),
        await located.getProjectNotes((await located.getProject()).projectId)
      )
      // a workspace given without a project is every project of it (as comet_ml)
      assert.isAbove((await located.getExperiments(WS)).length, inProject.length)
      // get() keeps comet_ml's meaning: the workspaces
      assert.deepStrictEqual(await located.get(), await located.getWorkspaces())
    })
  )

  it.live("only a workspace configured: the workspace's every project", () =>
    Effect.promise(async () => {
      const emu = emulator()
      const api = facade(emu.fetch, new Capture(), { workspace: WS })
      assert.deepStrictEqual(keys(await api.getExperiments()), keys(await api.getExperiments(WS)))
      const missing = await api.getProject().then(
        () => assert.fail("resolved"),
        (e: unknown) => e as Error
      )
      assert.strictEqual(
        missing.message,
        'Invalid projectName "": no project name was given and none is configured: pass one, or set the `projectName` option (new API({ projectName })) or COMET_PROJECT_NAME.'
      )
    })
  )

  it.live("none configured: an InvalidArgument naming the option, for every such method", () =>
    Effect.promise(async () => {
      const emu = emulator()
      const api = facade(emu.fetch, new Capture())
      const expected =
        'Invalid workspace "": no workspace was given and none is configured: pass one, or set the `workspace` option (new API({ workspace })) or COMET_WORKSPACE.'
      const calls: ReadonlyArray<() => Promise<unknown>> = [
        () => api.getProjects(),
        () => api.listProjects(),
        () => api.getProject(),
        () => api.getProjectColumns(),
        () => api.getQueryVariables(),
        () => api.getProjectExperiments(),
        () => api.getExperiments(),
        () => api.getArchivedExperiments(),
        () => api.query(undefined, undefined, "Metric('loss') < 1"),
        () => api.queryProject(null, null, []),
        async () => {
          for await (const _ of api.streamExperiments()) return
        }
      ]
      for (const call of calls) {
        const error = await call().then(
          () => assert.fail("resolved"),
          (e: unknown) => e as { readonly _tag: string; readonly message: string }
        )
        assert.strictEqual(error._tag, "InvalidArgument")
        assert.strictEqual(error.message, expected)
      }
    })
  )

  it.live("CometApi uses them too", () =>
    Effect.gen(function* () {
      const api = yield* CometApi
      const all = yield* api.getExperiments(WS, PROJ)
      assert.deepStrictEqual(keys(yield* api.getExperiments()), keys(all))
      assert.deepStrictEqual(
        keys(yield* Stream.runCollect(api.streamExperiments()).pipe(Effect.map((c) => [...c]))),
        keys(all)
      )
      // a workspace alone streams every project's experiments, project by project, as getExperiments lists them
      const workspaceWide = keys(yield* api.getExperiments(WS))
      assert.isAbove(workspaceWide.length, all.length)
      assert.deepStrictEqual(
        keys(yield* Stream.runCollect(api.streamExperiments(WS)).pipe(Effect.map((c) => [...c]))),
        workspaceWide
      )
    }).pipe(
      Effect.provide(
        Testing.layerClient(Emulator.layerClient({ apiKey: SECRET }), {
          apiKey: SECRET,
          workspace: WS,
          projectName: PROJ
        })
      )
    )
  )
})

describe("arguments a newcomer gets wrong", () => {
  it.live("get's trailing options are checked like every other method's", () =>
    Effect.promise(async () => {
      const api = facade(emulator().fetch, new Capture())
      const [key] = (await api.getExperiments(WS, PROJ)).map((e) => e.key)
      const error = await api.get(WS, PROJ, key!, "x" as never).then(
        () => assert.fail("resolved"),
        (e: unknown) => e as { readonly _tag: string; readonly message: string }
      )
      assert.strictEqual(error._tag, "InvalidArgument")
      assert.match(error.message, /^Invalid options "x": /)
      assert.strictEqual((await api.get(WS, PROJ, key!, {})).key, key)
      assert.strictEqual((await api.get(WS, PROJ, key!, undefined)).key, key)
    })
  )

  it.live("getProjectNotes with one argument (or a null project) says both readings when nothing is found", () =>
    Effect.promise(async () => {
      const api = facade(emulator().fetch, new Capture())
      for (const call of [() => api.getProjectNotes(WS), () => api.getProjectNotes(WS, null as never)]) {
        const error = await call().then(
          () => assert.fail("resolved"),
          (e: unknown) => e as { readonly _tag: string; readonly message: string }
        )
        assert.strictEqual(error._tag, "NotFound")
        assert.include(error.message, `"${WS}"`)
        assert.include(error.message, "getProjectNotes(projectId)")
        assert.include(error.message, "getProjectNotes(workspace, projectName)")
      }
    })
  )
})
