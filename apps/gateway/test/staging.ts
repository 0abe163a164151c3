import type { Claim, Dial } from "@leadq/domain"
import type { CallOutcome } from "@leadq/domain"
import { testOutcome } from "@leadq/store/testing"
import { Effect } from "effect"
import { LeadQueue } from "../src/testing/index.js"

const LEASE = 60_000

/**
 * Stage queue states through the worker's own code path (`LeadQueue`), on the gateway's
 * database. Other due leads that come along in a claim are given back untouched.
 */
export const claimLead = (leadId: string) =>
  Effect.gen(function*() {
    const queue = yield* LeadQueue
    let mine: Claim | undefined
    for (const claim of yield* queue.claimDue({ worker_id: "gateway-test", limit: 100, lease_ms: LEASE })) {
      if (claim.lead_id === leadId) mine = claim
      else yield* Effect.orDie(queue.release(claim))
    }
    if (mine === undefined) return yield* Effect.dieMessage(`lead ${leadId} was not claimable`)
    return mine
  })

export const dialLead = (leadId: string) =>
  Effect.gen(function*() {
    const queue = yield* LeadQueue
    const claim = yield* claimLead(leadId)
    return yield* Effect.orDie(queue.startDial(claim, LEASE))
  })

export const outcome = (status: CallOutcome["status"], durationSeconds = 7) => testOutcome(status, durationSeconds, Date.now())

export const finish = (dial: Dial, status: CallOutcome["status"], durationSeconds?: number) =>
  Effect.flatMap(LeadQueue, (queue) => Effect.orDie(queue.finishCall(dial, outcome(status, durationSeconds))))

/** A lead that was dialled and whose call ended: `called`, with its call log. */
export const callLead = (leadId: string, status: CallOutcome["status"], durationSeconds?: number) =>
  Effect.flatMap(dialLead(leadId), (dial) => Effect.as(finish(dial, status, durationSeconds), dial))
