/**
 * System details of an experiment (comet-rest-v2.md §3.8).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { nullable, present, WireNumber, WireString } from "./Common.js"

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
 * `GET experiment/system-details` → the system details object. Every key is required (`null`
 * when the server has no value): the Python SDK reads each with `[]`, and the wire reference
 * says the server always sends them all; an answer without them is a DecodeError.
 *
 * @since 0.1.0
 */
export const SystemDetails = Schema.Struct({
  experimentKey: present(Schema.String),
  user: present(Schema.String),
  pythonVersion: present(Schema.String),
  pythonVersionVerbose: present(Schema.String),
  pid: present(WireNumber),
  osType: present(Schema.String),
  os: present(Schema.String),
  osRelease: present(Schema.String),
  machine: present(Schema.String),
  processor: present(Schema.String),
  ip: present(Schema.String),
  hostname: present(Schema.String),
  totalRam: present(WireNumber),
  maxTotalMemory: present(WireNumber),
  gpuStaticInfoList: present(Schema.Array(GpuStaticInfo)),
  logAdditionalSystemInfoList: present(Schema.Array(AdditionalSystemInfo)),
  systemMetricNames: present(Schema.Array(Schema.String)),
  networkInterfaceIps: present(Schema.Array(Schema.String)),
  command: present(Schema.Array(Schema.String)),
  executable: present(Schema.String),
  osPackages: present(Schema.Array(Schema.String)),
  installedPackages: present(Schema.Array(Schema.String))
}).annotations({ identifier: "SystemDetails" })
/** @since 0.1.0 */
export type SystemDetails = typeof SystemDetails.Type
