import type { Claim, ClaimRef, Dial } from "@leadq/domain"
import type { Fiber } from "effect"
import { Deferred, Effect } from "effect"

/**
 * One lead the worker holds, from its claim until its call is recorded (or the claim is lost).
 * Mutable on purpose: the dialer, the follower, the finisher and the lease keeper each move it
 * along, and at a thousand calls a second a `Ref` per lead would be work for nothing. Only the
 * worker's fibers touch it, and JavaScript runs one of them at a time.
 */
export interface Held {
  readonly ref: ClaimRef
  /** Set once its dial started (the call log is written). */
  dial: Dial | undefined
  /** The fiber following its call, once placed. */
  follower: Fiber.RuntimeFiber<void, never> | undefined
  /** The call ended: the finisher owns the lead now, until its outcome is written. */
  ended: boolean
}

/**
 * Every lead this worker holds — claimed, being dialled, in a call, or ended and waiting to be
 * written — by lead id. Its size is what `max_in_flight` bounds; its claims are what the lease
 * keeper renews; at shutdown, its emptying is what the worker waits for. Plain synchronous methods
 * on purpose: every service of the worker touches it for every lead.
 */
export class HeldLeads {
  private readonly byLead = new Map<string, Held>()
  private waiters: Array<Deferred.Deferred<void>> = []

  get size(): number {
    return this.byLead.size
  }

  claimed(claims: ReadonlyArray<Claim>): void {
    for (const ref of claims) this.byLead.set(ref.lead_id, { ref, dial: undefined, follower: undefined, ended: false })
  }

  /**
   * Hold a dial (one taken over by recovery, under its new claim). Answers what this worker
   * held of that lead before, under an older claim, if anything: that one is stale now.
   */
  hold(dial: Dial): { readonly held: Held; readonly previous: Held | undefined } {
    const previous = this.byLead.get(dial.lead_id)
    const held: Held = { ref: dial, dial, follower: undefined, ended: false }
    this.byLead.set(dial.lead_id, held)
    return { held, previous: previous?.ref.claim_id === dial.claim_id ? undefined : previous }
  }

  /** The lead's entry, if it is still held under this very claim. */
  get(ref: ClaimRef): Held | undefined {
    const held = this.byLead.get(ref.lead_id)
    return held !== undefined && held.ref.claim_id === ref.claim_id ? held : undefined
  }

  /** Every claim held, for one renewal. */
  refs(): ReadonlyArray<ClaimRef> {
    return Array.from(this.byLead.values(), (h) => h.ref)
  }

  all(): ReadonlyArray<Held> {
    return Array.from(this.byLead.values())
  }

  /** Let go of a lead (its call recorded, its dial cancelled, its claim lost or given back). */
  letGo(ref: ClaimRef): void {
    if (this.get(ref) === undefined) return
    this.byLead.delete(ref.lead_id)
    if (this.byLead.size === 0 && this.waiters.length > 0) {
      for (const w of this.waiters) Deferred.unsafeDone(w, Effect.void)
      this.waiters = []
    }
  }

  /** Resolves once nothing is held any more. */
  readonly emptied: Effect.Effect<void> = Effect.suspend(() => {
    if (this.byLead.size === 0) return Effect.void
    return Effect.flatMap(Deferred.make<void>(), (w) => {
      this.waiters.push(w)
      return Deferred.await(w)
    })
  })
}

/** The worker's one set of held leads, shared by all its services. */
export class Holdings extends Effect.Service<Holdings>()("leadq/worker/Holdings", { sync: () => new HeldLeads() }) {}
