/**
 * System details of an experiment (comet-rest-v2.md §3.8).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { nullable, WireNumber, WireString } from "./Common.js"

/**
 * One GPU of `gpuStaticInfoList`.
 *
 * @since 0.1.0
 */
export const GpuStaticInfo = Schema.Struct({
  gpuIndex: nullable(WireNumber),
  name: nullable(Schema.String),
  uuid: nullable(Schema.String),
  totalMemory: nullable(WireNumber),
  powerLimit: nullable(WireNumber)
}).annotations({ identifier: "GpuStaticInfo" })
/** @since 0.1.0 */
export type GpuStaticInfo = typeof GpuStaticInfo.Type

/**
 * One `{ key, value }` of `logAdditionalSystemInfoList`.
 *
 * @since 0.1.0
 */
export const AdditionalSystemInfo = Schema.Struct({
  key: Schema.String,
  value: nullable(WireString)
}).annotations({ identifier: "AdditionalSystemInfo" })
/** @since 0.1.0 */
export type AdditionalSystemInfo = typeof AdditionalSystemInfo.Type

/**
 * `GET experiment/system-details` → the system details object. Every key is always present
 * after decoding (`null` when the server has no value).
 *
 * @since 0.1.0
 */
export const SystemDetails = Schema.Struct({
  experimentKey: nullable(Schema.String),
  user: nullable(Schema.String),
  pythonVersion: nullable(Schema.String),
  pythonVersionVerbose: nullable(Schema.String),
  pid: nullable(WireNumber),
  osType: nullable(Schema.String),
  os: nullable(Schema.String),
  osRelease: nullable(Schema.String),
  machine: nullable(Schema.String),
  processor: nullable(Schema.String),
  ip: nullable(Schema.String),
  hostname: nullable(Schema.String),
  totalRam: nullable(WireNumber),
  maxTotalMemory: nullable(WireNumber),
  gpuStaticInfoList: nullable(Schema.Array(GpuStaticInfo)),
  logAdditionalSystemInfoList: nullable(Schema.Array(AdditionalSystemInfo)),
  systemMetricNames: nullable(Schema.Array(Schema.String)),
  networkInterfaceIps: nullable(Schema.Array(Schema.String)),
  command: nullable(Schema.Array(Schema.String)),
  executable: nullable(Schema.String),
  osPackages: nullable(Schema.Array(Schema.String)),
  installedPackages: nullable(Schema.Array(Schema.String))
}).annotations({ identifier: "SystemDetails" })
/** @since 0.1.0 */
export type SystemDetails = typeof SystemDetails.Type
