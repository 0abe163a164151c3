import type { CallPlan, LedgerDial, LedgerHangUp, LedgerLine } from "@leadq/telephony"
import { courseOf, hangUpByOf } from "@leadq/telephony"
import type { CallLogRow, CampaignRow, ClientOp, History, LeadRow, RemovalRow, Snapshot } from "../src/index.js"

/**
 * Hand-made histories for the checker's own tests: one clean run that exercises every rule,
 * which each test then breaks in exactly one way.
 */
export const T0 = Date.parse("2026-06-01T12:00:00Z")
const iso = (ms: number) => new Date(ms).toISOString()

export const campaignRow = (over: Partial<CampaignRow> = {}): CampaignRow => ({
  id: "cmp_1",
  organization_id: "org_a",
  status: "running",
  max_concurrent_calls: 2,
  max_retries: 1,
  ...over
})

export const leadRow = (id: string, over: Partial<LeadRow> = {}): LeadRow => ({
  id,
  organization_id: "org_a",
  campaign_id: "cmp_1",
  state: "called",
  outcome: "completed",
  attempts: 1,
  scheduled_at: T0,
  claim_id: null,
  worker_id: null,
  dialled: false,
  call_log_id: null,
  removed_from: null,
  ...over
})

/** The number every lead of the hand-made histories has. */
export const PHONE = "+14155550123"

const PLAN: CallPlan = { outcome: "completed", ring_ms: 200, talk_ms: 1000 }

export const dialLine = (leadId: string, attempt: number, at: number, plan: CallPlan = PLAN, campaignId = "cmp_1"): LedgerDial => ({
  type: "dial",
  at: iso(at),
  call_id: `call_${leadId}_${attempt}`,
  lead_id: leadId,
  campaign_id: campaignId,
  attempt,
  phone_number: PHONE,
  from_phone_number: "+14155550100",
  agent_id: "agent_1",
  worker_id: "w1",
  pid: 1,
  plan
})

export const hangUpLine = (dial: LedgerDial, over: Partial<LedgerHangUp> = {}): LedgerHangUp => {
  const course = courseOf(Date.parse(dial.at), dial.plan)
  return {
    type: "hangup",
    at: iso(course.ended_at),
    call_id: dial.call_id,
    lead_id: dial.lead_id,
    campaign_id: dial.campaign_id,
    attempt: dial.attempt,
    by: hangUpByOf(dial.plan),
    status: course.outcome.status,
    end_reason: course.outcome.end_reason,
    connected_at: course.connected_at === null ? null : iso(course.connected_at),
    duration_seconds: course.outcome.duration_seconds,
    pid: 1,
    ...over
  }
}

/** The call log a correct worker writes for a dial: created just before it, settled with its truth. */
export const logRow = (dial: LedgerDial, over: Partial<CallLogRow> = {}): CallLogRow => {
  const course = courseOf(Date.parse(dial.at), dial.plan)
  return {
    id: `log_${dial.call_id}`,
    call_id: dial.call_id,
    organization_id: "org_a",
    campaign_id: dial.campaign_id,
    lead_id: dial.lead_id,
    attempt: dial.attempt,
    status: course.outcome.status,
    end_reason: course.outcome.end_reason,
    duration_seconds: course.outcome.duration_seconds,
    started_at: course.connected_at,
    ended_at: course.ended_at,
    created_at: Date.parse(dial.at) - 5,
    ...over
  }
}

export const removalRow = (leadId: string, removedFrom: RemovalRow["removed_from"], attempt: number, at: number): RemovalRow => ({
  id: `rmv_${leadId}`,
  lead_id: leadId,
  campaign_id: "cmp_1",
  api_key_id: "key_a",
  removed_from: removedFrom,
  attempt,
  reason: null,
  removed_at: at
})

/** `POST /v1/suppressions` of a number by organization `org`. */
export const suppressOp = (phone: string, started_at: number, ended_at: number, outcome: ClientOp["outcome"] = "ok", org = "org_a"): ClientOp => ({
  ...op("suppress", phone, started_at, ended_at, outcome),
  organization_id: org,
  suppresses: [phone]
})

/** `DELETE /v1/suppressions/{phone}` by organization `org`. */
export const liftOp = (phone: string, started_at: number, ended_at: number, outcome: ClientOp["outcome"] = "ok", org = "org_a"): ClientOp => ({
  ...op("lift", phone, started_at, ended_at, outcome),
  organization_id: org
})

export const op = (kind: ClientOp["kind"], target: string, started_at: number, ended_at: number, outcome: ClientOp["outcome"] = "ok"): ClientOp => ({
  kind,
  target,
  started_at,
  ended_at,
  outcome,
  status: outcome === "ok" ? 200 : outcome === "fail" ? 409 : undefined
})

/**
 * The clean run:
 * - called: dialled at T0+1 s, completed;
 * - inCall: dialled at T0+1 s, removed during its call (acknowledged at T0+1.5 s), ends naturally;
 * - pending: removed while pending at T0+0.5 s, never dialled;
 * - waiting: never dialled (the campaign is paused from T0+2 s to T0+4 s), keeps its slot;
 * - late: dialled at T0+5 s, after the resume;
 * - crashed: held by worker w2, killed at T0+6 s mid-call; recovered by w1 with the carrier's truth;
 * - suppressed: its number (the number of every lead here) is suppressed in org_a from T0+5.7 s
 *   until a lift at T0+6.5 s; the worker claims it at T0+5.8 s and removes it (reason
 *   `suppressed`) instead of dialling it. The same number suppressed in org_b from T0+0.2 s, never
 *   lifted, holds nothing over org_a's dials.
 */
export const cleanHistory = (): History => {
  const called = dialLine("lead_called", 1, T0 + 1000)
  const inCall = dialLine("lead_incall", 1, T0 + 1000)
  const late = dialLine("lead_late", 1, T0 + 5000)
  const crashed = { ...dialLine("lead_crashed", 1, T0 + 5500, { outcome: "busy", ring_ms: 1000, talk_ms: 0 }), worker_id: "w2" }
  const ledger: Array<LedgerLine> = [called, inCall, hangUpLine(called), hangUpLine(inCall), late, crashed, hangUpLine(late), hangUpLine(crashed)]
  const campaigns = [campaignRow()]
  const first: Snapshot = {
    taken_at: T0 + 100,
    campaigns,
    leads: [
      leadRow("lead_called", { state: "pending", outcome: null, attempts: 0 }),
      leadRow("lead_incall", { state: "pending", outcome: null, attempts: 0 }),
      leadRow("lead_pending", { state: "pending", outcome: null, attempts: 0, scheduled_at: T0 + 10 }),
      leadRow("lead_waiting", { state: "pending", outcome: null, attempts: 0, scheduled_at: T0 + 20 }),
      leadRow("lead_late", { state: "pending", outcome: null, attempts: 0, scheduled_at: T0 + 30 }),
      leadRow("lead_crashed", { state: "pending", outcome: null, attempts: 0, scheduled_at: T0 + 40 }),
      leadRow("lead_suppressed", { state: "pending", outcome: null, attempts: 0, scheduled_at: T0 + 5800 })
    ],
    call_logs: [],
    removals: []
  }
  const afterCrash: Snapshot = {
    taken_at: T0 + 6000,
    campaigns,
    leads: [
      leadRow("lead_called"),
      leadRow("lead_incall", { state: "removed", removed_from: "in_call" }),
      leadRow("lead_pending", { state: "removed", outcome: null, attempts: 0, scheduled_at: T0 + 10, removed_from: "pending" }),
      leadRow("lead_waiting", { state: "pending", outcome: null, attempts: 0, scheduled_at: T0 + 20 }),
      leadRow("lead_late", { scheduled_at: T0 + 30 }),
      leadRow("lead_crashed", {
        state: "calling",
        outcome: null,
        scheduled_at: T0 + 40,
        claim_id: "clm_w2",
        worker_id: "w2",
        dialled: true,
        call_log_id: "log_call_lead_crashed_1"
      }),
      leadRow("lead_suppressed", { state: "removed", outcome: null, attempts: 0, scheduled_at: T0 + 5800, removed_from: "claimed" })
    ],
    call_logs: [
      logRow(called),
      logRow(inCall),
      logRow(late),
      logRow(crashed, { status: "initiated", end_reason: null, duration_seconds: null, started_at: null, ended_at: null })
    ],
    removals: [
      removalRow("lead_pending", "pending", 0, T0 + 500),
      removalRow("lead_incall", "in_call", 1, T0 + 1400),
      { ...removalRow("lead_suppressed", "claimed", 0, T0 + 5800), reason: "suppressed" }
    ]
  }
  const final: Snapshot = {
    ...afterCrash,
    taken_at: T0 + 20_000,
    leads: afterCrash.leads.map((l) =>
      l.id === "lead_crashed" ? leadRow("lead_crashed", { outcome: "failed", scheduled_at: T0 + 40, call_log_id: "log_call_lead_crashed_1" }) : l
    ),
    call_logs: [logRow(called), logRow(inCall), logRow(late), logRow(crashed)]
  }
  return {
    seed: 42,
    operations: [
      op("delete", "lead_pending", T0 + 400, T0 + 500),
      op("delete", "lead_incall", T0 + 1300, T0 + 1500),
      op("pause", "cmp_1", T0 + 1900, T0 + 2000),
      op("resume", "cmp_1", T0 + 3900, T0 + 4000),
      op("delete", "lead_called", T0 + 1900, T0 + 2100, "fail"),
      suppressOp(PHONE, T0 + 5600, T0 + 5700),
      liftOp(PHONE, T0 + 6500, T0 + 6600),
      suppressOp(PHONE, T0 + 100, T0 + 200, "ok", "org_b")
    ],
    ledger,
    snapshots: [first, afterCrash, final],
    crashes: [{ worker_id: "w2", killed_at: T0 + 5800 }],
    tenancy: {
      requests: [{ request: "GET /v1/campaigns-leads/lead_called", status: 404 }, { request: "DELETE /v1/campaigns-leads/lead_late", status: 404 }],
      before: { lead_called: '{"id":"lead_called"}', lead_late: '{"id":"lead_late"}' },
      after: { lead_called: '{"id":"lead_called"}', lead_late: '{"id":"lead_late"}' }
    },
    timing: { lease_ms: 1500, sweep_interval_ms: 200, slack_ms: 2000 }
  }
}

/** Replace the last snapshot (the final one) using `f`. */
export const withFinal = (h: History, f: (s: Snapshot) => Snapshot): History => ({
  ...h,
  snapshots: [...h.snapshots.slice(0, -1), f(h.snapshots[h.snapshots.length - 1]!)]
})
