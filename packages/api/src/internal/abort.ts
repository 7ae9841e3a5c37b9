/**
 * One listener per `AbortSignal`, however many calls share it. A dashboard passes one signal to
 * every call of a page; a listener per call would pass Node's limit of 10 per signal and print
 * `MaxListenersExceededWarning`. Calls register a callback here; the signal carries a single
 * listener that runs them all, and loses it when the last call ends.
 *
 * @internal
 */

interface Entry {
  readonly callbacks: Set<() => void>
  readonly listener: () => void
}

const entries = new WeakMap<AbortSignal, Entry>()

/**
 * Run `callback` when `signal` aborts (at once if it has). Returns the function that
 * unregisters it; call it when the call ends.
 *
 * @internal
 */
export const onAbort = (signal: AbortSignal, callback: () => void): (() => void) => {
  if (signal.aborted) {
    callback()
    return () => {}
  }
  let entry = entries.get(signal)
  if (entry === undefined) {
    const callbacks = new Set<() => void>()
    const listener = () => {
      entries.delete(signal)
      for (const f of callbacks) f()
    }
    entry = { callbacks, listener }
    entries.set(signal, entry)
    signal.addEventListener("abort", listener, { once: true })
  }
  const { callbacks, listener } = entry
  callbacks.add(callback)
  return () => {
    if (!callbacks.delete(callback) || callbacks.size > 0 || entries.get(signal)?.callbacks !== callbacks) return
    entries.delete(signal)
    signal.removeEventListener("abort", listener)
  }
}
