/**
 * Calling `CometApi` methods by name: the method names, the argument lists each accepts (under
 * any overload), what each yields, and `invoke` — the one place the Promise facade reaches the
 * service, where checks of the arguments plug in.
 *
 * @internal
 */
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import { guardApi } from "./arguments.js"
import type { CometApiShape } from "./service.js"

/** The names of the service's methods (every member but `baseUrl`). */
export type Method = {
  [K in keyof CometApiShape]: CometApiShape[K] extends (...args: never) => unknown ? K : never
}[keyof CometApiShape]

/** The argument lists of a function type's call signatures (up to four overloads). */
type Overloads<F> = F extends {
  (...args: infer A1): unknown
  (...args: infer A2): unknown
  (...args: infer A3): unknown
  (...args: infer A4): unknown
}
  ? A1 | A2 | A3 | A4
  : never

/** The arguments a service method accepts, under any of its overloads. */
export type ArgsOf<K extends Method> = Overloads<CometApiShape[K]>

/** What a service method's Effect succeeds with, or its Stream emits. */
export type ValueOf<K extends Method> = CometApiShape[K] extends (
  ...args: never
) => Effect.Effect<infer A, unknown, unknown>
  ? A
  : CometApiShape[K] extends (...args: never) => Stream.Stream<infer A, unknown, unknown>
    ? A
    : never

/** The service methods that return an Effect. */
export type EffectMethod = {
  [K in Method]: CometApiShape[K] extends (...args: never) => Effect.Effect<unknown, unknown, unknown> ? K : never
}[Method]

/** The service methods that return a Stream. */
export type StreamMethod = Exclude<Method, EffectMethod>

/**
 * `api[name](...args)`, with `api` as `this`: where every facade call reaches the service. The
 * arguments are checked against the method's declaration (`arguments.ts`) — by the service's
 * own boundary, or here when the service is not the guarded one (a mock) — so a wrong runtime
 * type is an InvalidArgument for every method.
 */
export const invoke = <K extends Method>(api: CometApiShape, name: K, args: ArgsOf<K>): unknown => {
  const checked = guardApi(api)
  return Reflect.apply(checked[name], checked, args)
}
