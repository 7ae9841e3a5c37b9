/**
 * The timeouts of one client instance: one fiber, sleeping on the Effect `Clock` until the
 * earliest deadline, fires the timers that are due. An attempt arms a timer with a plain call
 * (no fiber, no race per attempt) and disarms it when it ends; a stream's idle timer is touched
 * per chunk. Driven by the Clock, so `TestClock` moves it in tests as it moves every other wait.
 *
 * @internal
 */
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

/** An armed timer. */
export interface Timer {
  /** Disarm it (idempotent). */
  readonly cancel: () => void
}

/** An idle timer: fires only when no `touch` came for its whole duration while it was `active`. */
export interface IdleTimer extends Timer {
  /** Data arrived (or waiting starts again): the idle time restarts from now. */
  readonly touch: () => void
  /** Whether time counts now (waiting on the network) or not (the consumer holds the data). */
  active: boolean
}

interface Entry {
  at: number
  cancelled: boolean
  readonly fire: (now: number) => void
}

/** A binary min-heap of entries by `at`; cancelled entries are dropped lazily. */
class Heap {
  #items: Array<Entry> = []
  #cancelled = 0

  get size(): number {
    return this.#items.length
  }

  push(e: Entry): void {
    const items = this.#items
    items.push(e)
    let i = items.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      const parent = items[p] as Entry
      if (parent.at <= e.at) break
      items[i] = parent
      i = p
    }
    items[i] = e
  }

  /** The earliest live entry, dropping cancelled ones on top. */
  peek(): Entry | undefined {
    let top = this.#items[0]
    while (top?.cancelled === true) {
      this.pop()
      this.#cancelled--
      top = this.#items[0]
    }
    return top
  }

  pop(): Entry | undefined {
    const items = this.#items
    const top = items[0]
    const last = items.pop()
    if (top === undefined || last === undefined || items.length === 0) return top
    let i = 0
    const n = items.length
    while (true) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      const c = r < n && (items[r] as Entry).at < (items[l] as Entry).at ? r : l
      const child = items[c] as Entry
      if (child.at >= last.at) break
      items[i] = child
      i = c
    }
    items[i] = last
    return top
  }

  /** Drop everything (no timer is armed). */
  clear(): void {
    this.#items = []
    this.#cancelled = 0
  }

  /** Note a cancellation; rebuild when cancelled entries are most of the heap. */
  noteCancelled(): void {
    this.#cancelled++
    if (this.#cancelled > 64 && this.#cancelled * 2 > this.#items.length) {
      const live = this.#items.filter((e) => !e.cancelled)
      this.#items = []
      this.#cancelled = 0
      for (const e of live) this.push(e)
    }
  }
}

/** The timers of one client instance. */
export class Timers {
  readonly #heap = new Heap()
  /** When the fiber will next wake up (Infinity: it waits for a new timer). */
  #target = Number.POSITIVE_INFINITY
  #wake: (() => void) | null = null
  /** A timer earlier than the target came while the fiber was not yet waiting. */
  #early = false
  /** Timers armed and neither fired nor cancelled. */
  #armed = 0

  readonly #clock: Clock.Clock

  private constructor(clock: Clock.Clock) {
    this.#clock = clock
  }

  /** Start the timers' fiber in `scope`, on the current Clock. */
  static make: Effect.Effect<Timers, never, Scope.Scope> = Effect.gen(function* () {
    const clock = yield* Effect.clock
    const timers = new Timers(clock)
    yield* Effect.forkScoped(timers.#loop)
    return timers
  })

  /** The Clock's time, in ms. */
  now(): number {
    return this.#clock.unsafeCurrentTimeMillis()
  }

  /** Call `fire` once `millis` from now, unless cancelled first. */
  after(millis: number, fire: () => void): Timer {
    let done = false
    const entry: Entry = {
      at: this.now() + millis,
      cancelled: false,
      fire: () => {
        done = true
        this.#disarmed()
        fire()
      }
    }
    this.#armed++
    this.#add(entry)
    return {
      cancel: () => {
        if (done) return
        done = true
        this.#withdraw(entry)
      }
    }
  }

  /** Take an armed entry out (lazily: it is dropped when it reaches the top of the heap). */
  #withdraw(entry: Entry): void {
    entry.cancelled = true
    this.#heap.noteCancelled()
    this.#disarmed()
  }

  /**
   * One timer fewer. With none left the fiber is woken to drop its sleep, so an idle client
   * holds no timer (and a process can exit).
   */
  #disarmed(): void {
    this.#armed--
    if (this.#armed === 0) {
      this.#heap.clear()
      if (this.#wake !== null && this.#target !== Number.POSITIVE_INFINITY) {
        const wake = this.#wake
        this.#wake = null
        wake()
      }
    }
  }

  /** Call `fire` once `millis` passed while active without a `touch`. */
  idle(millis: number, fire: () => void): IdleTimer {
    let last = this.now()
    let done = false
    const timer: IdleTimer = {
      active: true,
      touch: () => {
        last = this.now()
      },
      cancel: () => {
        if (done) return
        done = true
        this.#withdraw(entry)
      }
    }
    const entry: Entry = {
      at: last + millis,
      cancelled: false,
      fire: (now) => {
        if (timer.active && now - last >= millis) {
          done = true
          this.#disarmed()
          return fire()
        }
        // not due: sleep again until `millis` after the last touch (or from now when inactive)
        entry.cancelled = false
        entry.at = (timer.active ? last : now) + millis
        this.#add(entry)
      }
    }
    this.#armed++
    this.#add(entry)
    return timer
  }

  #add(entry: Entry): void {
    this.#heap.push(entry)
    if (entry.at < this.#target) {
      this.#target = entry.at
      const wake = this.#wake
      this.#wake = null
      if (wake === null) this.#early = true
      else wake()
    }
  }

  #fireDue(now: number): void {
    while (true) {
      const top = this.#heap.peek()
      if (top === undefined || top.at > now) return
      this.#heap.pop()
      top.cancelled = true
      top.fire(now)
    }
  }

  /** Wait until woken by a timer earlier than the current target. */
  readonly #woken: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (this.#early) {
      this.#early = false
      return resume(Effect.void)
    }
    this.#wake = () => resume(Effect.void)
    return Effect.sync(() => {
      this.#wake = null
    })
  })

  readonly #loop: Effect.Effect<never> = Effect.suspend(() => {
    const now = this.now()
    this.#early = false
    this.#fireDue(now)
    const next = this.#heap.peek()
    this.#target = next === undefined ? Number.POSITIVE_INFINITY : next.at
    const wait =
      next === undefined
        ? this.#woken
        : Effect.raceFirst(this.#clock.sleep(Duration.millis(next.at - now)), this.#woken)
    return Effect.zipRight(wait, this.#loop)
  })
}
