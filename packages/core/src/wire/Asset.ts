/**
 * Asset list entries (comet-rest-v2.md §3.6) and curve assets (§3.11).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { AssetId } from "../Ids.js"
import { flag, list, NumericArray, nullable, WireNumber, WireString } from "./Common.js"

/**
 * An asset id as it arrives: usually a string, sometimes a number (the SDK's docstrings show
 * both). Decodes to the branded string.
 *
 * @since 0.1.0
 */
export const AssetIdFromWire: Schema.Schema<AssetId, string | number | boolean> = Schema.compose(WireString, AssetId)

/**
 * One entry of `GET experiment/asset/list` (and of model asset lists). `metadata` is a
 * JSON-encoded string or null, as on the wire.
 *
 * @since 0.1.0
 */
export const Asset = Schema.Struct({
  assetId: AssetIdFromWire,
  fileName: Schema.String,
  fileSize: nullable(WireNumber),
  runContext: nullable(Schema.String),
  step: nullable(WireNumber),
  remote: flag,
  link: nullable(Schema.String),
  compressedAssetLink: nullable(Schema.String),
  curlDownload: nullable(Schema.String),
  createdAt: nullable(WireNumber),
  dir: nullable(Schema.String),
  canView: flag,
  audio: flag,
  video: flag,
  histogram: flag,
  image: flag,
  type: nullable(Schema.String),
  metadata: nullable(Schema.String),
  tags: list(Schema.String)
}).annotations({ identifier: "Asset" })
/** @since 0.1.0 */
export type Asset = typeof Asset.Type

/**
 * `GET experiment/asset/list?experimentKey=&type=` → `{ assets: [...] }`.
 *
 * @since 0.1.0
 */
export const AssetList = Schema.Struct({ assets: Schema.Array(Asset) }).annotations({ identifier: "AssetList" })
/** @since 0.1.0 */
export type AssetList = typeof AssetList.Type

/**
 * The JSON content of a curve asset: `{ name, x, y }`.
 *
 * @since 0.1.0
 */
export const CurveData = Schema.Struct({
  name: Schema.String,
  x: NumericArray,
  y: NumericArray
}).annotations({ identifier: "CurveData" })
/** @since 0.1.0 */
export type CurveData = typeof CurveData.Type

/**
 * A curve as the Python SDK returns it: the asset's JSON plus `step` and `assetId` from its
 * list entry.
 *
 * @since 0.1.0
 */
export const Curve = /* @__PURE__ */ Schema.Struct({
  name: Schema.String,
  x: NumericArray,
  y: NumericArray,
  step: Schema.NullOr(Schema.Number),
  assetId: AssetId
}).annotations({ identifier: "Curve" })
/** @since 0.1.0 */
export type Curve = typeof Curve.Type
