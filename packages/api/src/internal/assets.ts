/**
 * Assets and models of one experiment: asset lists, an asset's content as bytes, text or JSON
 * (by id or by file name), streamed assets, images, curves, and the logged models and their
 * assets.
 *
 * @internal
 */
import {
  type Asset,
  AssetList,
  type CometError,
  type Curve,
  CurveData,
  DecodeError,
  ExperimentModelList,
  InvalidArgument
} from "@comet-ts/core"
import * as Decode from "@comet-ts/core/Decode"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { type ApiContext, notFound, unique } from "./context.js"
import type { ExperimentReads } from "./experimentReads.js"
import type { AssetOptions, AssetResult, ReturnType } from "./options.js"
import { required } from "./paths.js"
import { textDecoder } from "./values.js"

/** The methods this module gives `CometApi` (and every `Experiment`). */
export type AssetMethods = Pick<
  ExperimentReads,
  | "getExperimentAssetList"
  | "getExperimentAsset"
  | "getExperimentAssetByName"
  | "streamExperimentAsset"
  | "openExperimentAsset"
  | "getExperimentImages"
  | "getExperimentCurves"
  | "getExperimentModels"
  | "getExperimentModelNames"
  | "getExperimentModelAssetList"
>

/** Build the asset and model reads. */
export const makeAssets = (ctx: ApiContext): AssetMethods => {
  const { http, byKey } = ctx

  const getExperimentAssetList = (experimentKey: string, options?: { readonly assetType?: string | undefined }) =>
    Effect.map(
      byKey("experiment/asset/list", AssetList, experimentKey, { type: options?.assetType ?? "all" }),
      (r) => r.assets
    )

  const decodeAsset = <R extends ReturnType>(
    bytes: Uint8Array,
    returnType: R,
    endpoint: string
  ): Effect.Effect<AssetResult<R>, CometError> => {
    if (returnType === "binary") return Effect.succeed(bytes as AssetResult<R>)
    const text = textDecoder.decode(bytes)
    if (returnType === "text") return Effect.succeed(text as AssetResult<R>)
    return Effect.try({
      try: () => JSON.parse(text) as AssetResult<R>,
      catch: (e) => {
        // an empty asset, or one of only white space (its size named), is told as such
        const blank = Decode.blankBody(text, bytes.length)
        return new DecodeError({
          endpoint,
          path: "",
          detail: `the asset is ${blank ?? Decode.notJson(text, String(e), bytes.length)}; read it with returnType "text" or "binary"`,
          excerpt: Decode.excerpt(text, undefined, bytes.length)
        })
      }
    })
  }

  const assetBytes = (experimentKey: string, assetId: string) =>
    Effect.gen(function* () {
      const key = yield* required("experimentKey", experimentKey)
      const id = yield* required("assetId", assetId)
      // An asset's bytes never change: the cache (when enabled) may keep them.
      return yield* http.getBytes("experiment/asset/get-asset", {
        params: { experimentKey: key, assetId: id },
        cacheable: true
      })
    })

  const checkReturnType = (r: string | undefined): Effect.Effect<ReturnType, InvalidArgument> =>
    r === undefined || r === "binary" || r === "text" || r === "json"
      ? Effect.succeed(r ?? "binary")
      : Effect.fail(
          new InvalidArgument({ argument: "returnType", value: r, reason: 'use "binary", "text" or "json".' })
        )

  const getExperimentAsset = <R extends ReturnType = "binary">(
    experimentKey: string,
    assetId: string,
    options?: AssetOptions<R>
  ): Effect.Effect<AssetResult<R>, CometError> =>
    Effect.gen(function* () {
      const returnType = (yield* checkReturnType(options?.returnType)) as R
      const bytes = yield* assetBytes(experimentKey, assetId)
      return yield* decodeAsset(bytes, returnType, "experiment/asset/get-asset")
    })

  const getExperimentAssetByName = <R extends ReturnType = "binary">(
    experimentKey: string,
    fileName: string,
    options?: AssetOptions<R> & { readonly assetType?: string | undefined }
  ): Effect.Effect<AssetResult<R>, CometError> =>
    Effect.gen(function* () {
      const name = yield* required("fileName", fileName)
      const returnType = (yield* checkReturnType(options?.returnType)) as R
      const assets = yield* getExperimentAssetList(experimentKey, { assetType: options?.assetType })
      const hit = assets.find((a) => a.fileName === name)
      if (hit === undefined) {
        return yield* notFound("asset", `${name} of experiment ${experimentKey}`, "experiment/asset/list")
      }
      const bytes = yield* assetBytes(experimentKey, hit.assetId)
      return yield* decodeAsset(bytes, returnType, "experiment/asset/get-asset")
    })

  const streamExperimentAsset = (experimentKey: string, assetId: string) =>
    Stream.unwrap(
      Effect.map(
        Effect.all({ key: required("experimentKey", experimentKey), id: required("assetId", assetId) }),
        ({ key, id }) => http.stream("experiment/asset/get-asset", { params: { experimentKey: key, assetId: id } })
      )
    )

  const openExperimentAsset = (experimentKey: string, assetId: string) =>
    Effect.flatMap(
      Effect.all({ key: required("experimentKey", experimentKey), id: required("assetId", assetId) }),
      ({ key, id }) => http.open("experiment/asset/get-asset", { params: { experimentKey: key, assetId: id } })
    )

  const getExperimentImages = (experimentKey: string) => getExperimentAssetList(experimentKey, { assetType: "image" })

  const getExperimentCurves = (experimentKey: string) =>
    Effect.gen(function* () {
      const assets = yield* getExperimentAssetList(experimentKey, { assetType: "curve" })
      return yield* Effect.forEach(
        assets,
        (asset: Asset) =>
          Effect.gen(function* () {
            const bytes = yield* assetBytes(experimentKey, asset.assetId)
            const data = yield* Decode.decodeJsonText(
              CurveData,
              "experiment/asset/get-asset"
            )(textDecoder.decode(bytes))
            const curve: Curve = { name: data.name, x: data.x, y: data.y, step: asset.step, assetId: asset.assetId }
            return curve
          }),
        { concurrency: "unbounded" }
      )
    })

  const getExperimentModels = (experimentKey: string) =>
    Effect.map(byKey("experiment/model", ExperimentModelList, experimentKey), (r) => r.models)

  const getExperimentModelNames = (experimentKey: string) =>
    Effect.map(getExperimentModels(experimentKey), (ms) => unique(ms.map((m) => m.modelName)))

  const getExperimentModelAssetList = (experimentKey: string, modelName: string) =>
    Effect.gen(function* () {
      const model = yield* required("modelName", modelName)
      const r = yield* byKey("experiment/model/asset/list", AssetList, experimentKey, { modelName: model })
      if (r.assets.length > 0) return r.assets
      // Comet answers [] for a model the experiment never logged: tell a typo from an empty model.
      const models = yield* getExperimentModels(experimentKey)
      if (!models.some((m) => m.modelName === model)) {
        return yield* notFound("model", `${model} of experiment ${experimentKey}`, "experiment/model")
      }
      return r.assets
    })

  return {
    getExperimentAssetList,
    getExperimentAsset,
    getExperimentAssetByName,
    streamExperimentAsset,
    openExperimentAsset,
    getExperimentImages,
    getExperimentCurves,
    getExperimentModels,
    getExperimentModelNames,
    getExperimentModelAssetList
  }
}
