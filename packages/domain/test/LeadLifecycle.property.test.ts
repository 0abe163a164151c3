import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import {
  CallOutcome,
  CampaignLifecycle,
  type CampaignSnapshot,
  LeadLifecycle,
  type LeadSnapshot,
  RetryConfig
} from "../src/index.js"

/**
 * Random interleavings of claim / dial / finish / remove / pause / resume / cancel / release /
 * lease expiry (with a stale holder that comes back) on a small queue, run through the pure state
 * machine. After every step the invariants of docs/design.md §3 must hold.
 */
const LEADS = 4
const LEASE = 30_000

type Op =
  | { readonly op: "claim"; readonly lead: number }
  | { readonly op: "dial"; readonly lead: number }
  | { readonly op: "staleDial"; readonly lead: number }
  | { readonly op: "finish"; readonly lead: number; readonly status: CallOutcome["status"] }
  | { readonly op: "staleFinish"; readonly lead: number }
  | { readonly op: "remove"; readonly lead: number }
  | { readonly op: "release"; readonly lead: number }
  | { readonly op: "expire"; readonly lead: number }
  | { readonly op: "pause" }
  | { readonly op: "resume" }
  | { readonly op: "cancel" }
  | { readonly op: "tick"; readonly ms: number }

const lead = fc.integer({ min: 0, max: LEADS - 1 })
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: lead.map((l) => ({ op: "claim" as const, lead: l })) },
  { weight: 4, arbitrary: lead.map((l) => ({ op: "dial" as const, lead: l })) },
  { weight: 1, arbitrary: lead.map((l) => ({ op: "staleDial" as const, lead: l })) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("finish" as const),
      lead,
      status: fc.constantFrom("completed" as const, "no_answer" as const, "busy" as const, "failed" as const)
    })
  },
  { weight: 1, arbitrary: lead.map((l) => ({ op: "staleFinish" as const, lead: l })) },
  { weight: 3, arbitrary: lead.map((l) => ({ op: "remove" as const, lead: l })) },
  { weight: 1, arbitrary: lead.map((l) => ({ op: "release" as const, lead: l })) },
  { weight: 1, arbitrary: lead.map((l) => ({ op: "expire" as const, lead: l })) },
  { weight: 1, arbitrary: fc.constant({ op: "pause" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "resume" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "cancel" as const }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 20 * 60_000 }).map((ms) => ({ op: "tick" as const, ms })) }
)

const lifecycle = (c: CampaignSnapshot) => ({ id: c.id, status: c.status, agent_id: "agent", has_dialled: false })

const outcomeOf = (status: CallOutcome["status"], now: number) =>
  new CallOutcome({
    status,
    end_reason: status === "completed" ? "user_disconnected" : "user_did_not_pick_up",
    connected_at: null,
    ended_at: new Date(now),
    duration_seconds: 0
  })

describe("lead state machine under random interleavings", () => {
  it.prop(
    "never breaks the invariants of docs/design.md §3",
    { ops: fc.array(opArb, { minLength: 1, maxLength: 120 }), maxRetries: fc.integer({ min: 0, max: 4 }) },
    ({ maxRetries, ops }) => {
      let now = 10_000
      let claimSeq = 0
      let campaign: CampaignSnapshot = {
        id: "cmp_p",
        status: "running",
        retry_config: new RetryConfig({ max_retries: maxRetries, retry_interval_minutes: 5 })
      }
      const leads: Array<LeadSnapshot> = Array.from({ length: LEADS }, (_, i) => ({
        id: `lead_${i}`,
        state: "pending",
        outcome: null,
        attempts: 0,
        scheduled_at: 10_000 + i,
        claim_id: null,
        dialled: false,
        lease_expires_at: null,
        removed_from: null
      }))
      const previousClaims: Array<Array<string>> = leads.map(() => [])
      const removedBeforeDial = leads.map(() => false)
      const openCall = leads.map(() => false)
      const dialled = new Set<string>()
      let dialsBlocked = false // a pause or cancel was acknowledged and not undone by a resume

      for (const op of ops) {
        const before = leads.map((l) => l.scheduled_at)
        switch (op.op) {
          case "tick":
            now += op.ms
            break
          case "pause":
            Either.match(CampaignLifecycle.pause(lifecycle(campaign)), {
              onLeft: () => undefined,
              onRight: (status) => {
                campaign = { ...campaign, status }
                dialsBlocked = true
              }
            })
            break
          case "resume":
            Either.match(CampaignLifecycle.resume(lifecycle(campaign)), {
              onLeft: () => undefined,
              onRight: (status) => {
                campaign = { ...campaign, status }
                dialsBlocked = false
              }
            })
            break
          case "cancel":
            Either.match(CampaignLifecycle.cancel(lifecycle(campaign)), {
              onLeft: () => undefined,
              onRight: (status) => {
                campaign = { ...campaign, status }
                dialsBlocked = true
              }
            })
            break
          case "claim": {
            const id = `clm_${claimSeq++}`
            Either.match(LeadLifecycle.claim(leads[op.lead]!, campaign, id, now, LEASE), {
              onLeft: () => undefined,
              onRight: (next) => {
                expect(openCall[op.lead]).toBe(false)
                leads[op.lead] = next
              }
            })
            break
          }
          case "dial":
          case "staleDial": {
            const l = leads[op.lead]!
            const claimId = op.op === "dial" ? l.claim_id : previousClaims[op.lead]!.at(-1)
            if (claimId == null) break
            Either.match(LeadLifecycle.startDial(l, campaign, claimId, now, LEASE), {
              onLeft: () => undefined,
              onRight: (next) => {
                // 1: no dial after an acknowledged removal of a lead that had not been dialled
                expect(removedBeforeDial[op.lead]).toBe(false)
                // 2: never two calls of one lead at once, each attempt once, at most 1 + max_retries
                expect(openCall[op.lead]).toBe(false)
                expect(next.attempts).toBe(l.attempts + 1)
                expect(dialled.has(`${l.id}#${next.attempts}`)).toBe(false)
                expect(next.attempts).toBeLessThanOrEqual(1 + maxRetries)
                // 8: a paused or cancelled campaign starts no dial
                expect(dialsBlocked).toBe(false)
                expect(campaign.status).toBe("running")
                dialled.add(`${l.id}#${next.attempts}`)
                openCall[op.lead] = true
                leads[op.lead] = next
              }
            })
            break
          }
          case "finish": {
            const l = leads[op.lead]!
            if (!openCall[op.lead] || l.claim_id === null) break
            const wasRemoved = l.state === "removed"
            // 4: a call in progress is never cut: its holder can always record its end
            const r = LeadLifecycle.finishCall(l, campaign, l.claim_id, outcomeOf(op.status, now))
            expect(Either.isRight(r)).toBe(true)
            if (Either.isRight(r)) {
              if (wasRemoved) {
                expect(r.right.retry).toBe(false)
                expect(r.right.lead.state).toBe("removed")
              }
              openCall[op.lead] = false
              leads[op.lead] = r.right.lead
            }
            break
          }
          case "staleFinish": {
            const stale = previousClaims[op.lead]!.at(-1)
            if (stale === undefined) break
            const r = LeadLifecycle.finishCall(leads[op.lead]!, campaign, stale, outcomeOf("completed", now))
            expect(Either.isLeft(r)).toBe(true)
            break
          }
          case "remove":
            Either.match(LeadLifecycle.remove(leads[op.lead]!, campaign), {
              onLeft: () => undefined,
              onRight: (r) => {
                if (r.removed_from === "pending" || r.removed_from === "claimed") removedBeforeDial[op.lead] = true
                expect(r.call_in_progress).toBe(openCall[op.lead])
                leads[op.lead] = r.lead
              }
            })
            break
          case "release": {
            const l = leads[op.lead]!
            if (l.claim_id === null) break
            Either.match(LeadLifecycle.release(l, l.claim_id), {
              onLeft: () => undefined,
              onRight: (next) => {
                leads[op.lead] = next
              }
            })
            break
          }
          case "expire": {
            const l = leads[op.lead]!
            if (l.claim_id === null || l.lease_expires_at === null) break
            now = Math.max(now, l.lease_expires_at)
            const fresh = `clm_${claimSeq++}`
            const taken = Either.getOrThrow(LeadLifecycle.takeOver(l, l.claim_id, fresh, now, LEASE))
            previousClaims[op.lead]!.push(l.claim_id)
            // A never-dialled claim goes back to the queue; a dialled one stays with its new holder.
            leads[op.lead] = taken.dialled ? taken : Either.getOrThrow(LeadLifecycle.release(taken, fresh))
            break
          }
        }
        // 5: slots do not move — only a lead's own retry changes its scheduled_at
        leads.forEach((l, i) => {
          if (l.scheduled_at !== before[i]) {
            expect(op.op).toBe("finish")
            expect((op as { lead: number }).lead).toBe(i)
            expect(l.state).toBe("pending")
          }
        })
        leads.forEach((l, i) => {
          // a removed lead never returns to the queue
          if (removedBeforeDial[i]) expect(l.state).toBe("removed")
          // a claim exists exactly while the lead is calling, or removed with its call still running
          if (l.claim_id !== null) expect(l.state === "calling" || (l.state === "removed" && openCall[i])).toBe(true)
        })
      }
    },
    { fastCheck: { numRuns: 300 } }
  )
})

