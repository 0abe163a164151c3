import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import {
  CallOutcome,
  type CampaignSnapshot,
  LeadLifecycle,
  type LeadSnapshot,
  RetryConfig
} from "../src/index.js"

const campaign = (status: CampaignSnapshot["status"] = "running", max_retries = 2): CampaignSnapshot => ({
  id: "cmp_x",
  status,
  retry_config: new RetryConfig({ max_retries, retry_interval_minutes: 10 })
})

const pending: LeadSnapshot = {
  id: "lead_x",
  state: "pending",
  outcome: null,
  attempts: 0,
  scheduled_at: 1_000,
  claim_id: null,
  dialled: false,
  lease_expires_at: null,
  removed_from: null
}

const outcome = (status: CallOutcome["status"], endedAt = 50_000) =>
  new CallOutcome({
    status,
    end_reason: status === "completed" ? "user_disconnected" : status === "busy" ? "user_busy" : "user_did_not_pick_up",
    connected_at: status === "completed" ? new Date(endedAt - 3_000) : null,
    ended_at: new Date(endedAt),
    duration_seconds: status === "completed" ? 3 : 0
  })

const claimed = Either.getOrThrow(LeadLifecycle.claim(pending, campaign(), "clm_a", 2_000, 30_000))
const dialled = Either.getOrThrow(LeadLifecycle.startDial(claimed, campaign(), "clm_a", 2_100, 30_000))

describe("removal table (docs/design.md §3), row by row", () => {
  it("pending: leaves the queue at once", () => {
    const r = Either.getOrThrow(LeadLifecycle.remove(pending, campaign()))
    expect(r.removed_from).toBe("pending")
    expect(r.call_in_progress).toBe(false)
    expect(r.lead.state).toBe("removed")
    expect(r.lead.scheduled_at).toBe(pending.scheduled_at)
  })

  it("pending waiting for a retry is pending too", () => {
    const waiting: LeadSnapshot = { ...pending, attempts: 1, scheduled_at: 900_000 }
    expect(Either.getOrThrow(LeadLifecycle.remove(waiting, campaign())).removed_from).toBe("pending")
  })

  it("calling, not yet dialled: the claim is voided and the worker's re-check cancels the dial", () => {
    const r = Either.getOrThrow(LeadLifecycle.remove(claimed, campaign()))
    expect(r.removed_from).toBe("claimed")
    expect(r.lead.claim_id).toBeNull()
    const dial = LeadLifecycle.startDial(r.lead, campaign(), "clm_a", 2_200, 30_000)
    expect(Either.isLeft(dial) && dial.left._tag).toBe("DialCancelled")
  })

  it("calling, dialled: the call goes on, its end is recorded, and no retry follows", () => {
    const r = Either.getOrThrow(LeadLifecycle.remove(dialled, campaign()))
    expect(r.removed_from).toBe("in_call")
    expect(r.call_in_progress).toBe(true)
    expect(r.lead.claim_id).toBe("clm_a") // the worker can still finalize its call log
    const finished = Either.getOrThrow(LeadLifecycle.finishCall(r.lead, campaign(), "clm_a", outcome("no_answer")))
    expect(finished.retry).toBe(false)
    expect(finished.lead.state).toBe("removed")
    expect(finished.lead.claim_id).toBeNull()
  })

  it("called: leaves the queue", () => {
    const done = Either.getOrThrow(LeadLifecycle.finishCall(dialled, campaign(), "clm_a", outcome("completed"))).lead
    expect(done.state).toBe("called")
    expect(Either.getOrThrow(LeadLifecycle.remove(done, campaign())).removed_from).toBe("called")
  })

  it("removed already: not found", () => {
    const removed = Either.getOrThrow(LeadLifecycle.remove(pending, campaign())).lead
    const again = LeadLifecycle.remove(removed, campaign())
    expect(Either.isLeft(again) && again.left._tag).toBe("LeadNotFound")
  })

  it.each(["completed", "cancelled"] as const)("campaign %s: refused, nothing changes", (status) => {
    const r = LeadLifecycle.remove(pending, campaign(status))
    expect(Either.isLeft(r) && r.left._tag).toBe("CampaignTerminal")
  })
})

describe("dial re-check", () => {
  it.each([
    ["paused", "campaign_paused"],
    ["cancelled", "campaign_cancelled"],
    ["completed", "campaign_completed"]
  ] as const)("campaign %s cancels the dial", (status, reason) => {
    const r = LeadLifecycle.startDial(claimed, campaign(status), "clm_a", 2_100, 30_000)
    expect(Either.isLeft(r) && r.left._tag === "DialCancelled" && r.left.reason).toBe(reason)
  })

  it("another claim id is stale (fencing)", () => {
    const r = LeadLifecycle.startDial(claimed, campaign(), "clm_other", 2_100, 30_000)
    expect(Either.isLeft(r) && r.left._tag).toBe("StaleClaim")
  })

  it("an attempt is dialled once", () => {
    const r = LeadLifecycle.startDial(dialled, campaign(), "clm_a", 2_200, 30_000)
    expect(Either.isLeft(r) && r.left._tag).toBe("StaleClaim")
    expect(dialled.attempts).toBe(1)
  })
})

describe("retries", () => {
  it("no_answer and busy go back to the queue after the interval, up to max_retries", () => {
    const first = Either.getOrThrow(LeadLifecycle.finishCall(dialled, campaign("running", 1), "clm_a", outcome("busy", 60_000)))
    expect(first.retry).toBe(true)
    expect(first.lead.state).toBe("pending")
    expect(first.lead.scheduled_at).toBe(60_000 + 10 * 60_000)
    const c2 = Either.getOrThrow(LeadLifecycle.claim(first.lead, campaign("running", 1), "clm_b", 700_000, 30_000))
    const d2 = Either.getOrThrow(LeadLifecycle.startDial(c2, campaign("running", 1), "clm_b", 700_000, 30_000))
    expect(d2.attempts).toBe(2)
    const second = Either.getOrThrow(LeadLifecycle.finishCall(d2, campaign("running", 1), "clm_b", outcome("no_answer")))
    expect(second.retry).toBe(false)
    expect(second.lead.state).toBe("called")
    expect(second.lead.outcome).toBe("failed")
  })

  it("failed is final", () => {
    const r = Either.getOrThrow(LeadLifecycle.finishCall(dialled, campaign("running", 4), "clm_a", outcome("failed")))
    expect(r.retry).toBe(false)
    expect(r.lead.outcome).toBe("failed")
  })

  it("a cancelled campaign schedules no retry", () => {
    const r = Either.getOrThrow(LeadLifecycle.finishCall(dialled, campaign("cancelled", 4), "clm_a", outcome("busy")))
    expect(r.retry).toBe(false)
  })

  it("a stale holder cannot finish", () => {
    const taken = Either.getOrThrow(LeadLifecycle.takeOver(dialled, "clm_a", "clm_new", 40_000, 30_000))
    const r = LeadLifecycle.finishCall(taken, campaign(), "clm_a", outcome("completed"))
    expect(Either.isLeft(r) && r.left._tag).toBe("StaleClaim")
  })

  it("a lease that has not run out cannot be taken over", () => {
    const r = LeadLifecycle.takeOver(dialled, "clm_a", "clm_new", 2_200, 30_000)
    expect(Either.isLeft(r)).toBe(true)
  })
})

describe("editing", () => {
  it("only a pending lead is editable", () => {
    expect(Either.isRight(LeadLifecycle.ensureEditable(pending))).toBe(true)
    const r = LeadLifecycle.ensureEditable(claimed)
    expect(Either.isLeft(r) && r.left._tag).toBe("LeadLocked")
  })
})
