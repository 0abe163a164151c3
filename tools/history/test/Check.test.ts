import { describe, expect, it } from "@effect/vitest"
import type { History } from "../src/index.js"
import { checkHistory, formatViolations } from "../src/index.js"
import { campaignRow, cleanHistory, dialLine, hangUpLine, leadRow, liftOp, logRow, op, PHONE, suppressOp, T0, withFinal } from "./histories.js"

const checksOf = (h: History) => [...new Set(checkHistory(h).map((v) => v.check))].sort()

describe("the history checker", () => {
  it("a clean run has 0 violations", () => {
    const h = cleanHistory()
    expect(checkHistory(h)).toEqual([])
    expect(formatViolations(h, [])).toBe("0 violations")
  })

  describe("1. no dial after an acknowledged removal", () => {
    it("a lead removed while pending is dialled afterwards", () => {
      const h = cleanHistory()
      const d = dialLine("lead_pending", 1, T0 + 3000)
      const broken = withFinal({ ...h, ledger: [...h.ledger, d, hangUpLine(d)] }, (s) => ({ ...s, call_logs: [...s.call_logs, logRow(d)] }))
      expect(checksOf(broken)).toContain(1)
      expect(formatViolations(broken, checkHistory(broken))).toMatch(/replay with seed 42[\s\S]*1\. no dial after an acknowledged removal\] attempt 1 dialled after a removal/)
    })
    it("a dial whose log was written after the 200 (same attempt)", () => {
      const h = cleanHistory()
      // The called lead is removed (ok) at T0+800, before its dial's log at T0+995.
      const broken = withFinal(
        { ...h, operations: [...h.operations, op("delete", "lead_called", T0 + 700, T0 + 800)] },
        (s) => ({
          ...s,
          leads: s.leads.map((l) => (l.id === "lead_called" ? { ...l, state: "removed" as const, removed_from: "claimed" } : l)),
          removals: [...s.removals, { ...s.removals[0]!, id: "rmv_x", lead_id: "lead_called", removed_from: "claimed" as const, attempt: 1 }]
        })
      )
      expect(checkHistory(broken).filter((v) => v.check === 1).map((v) => v.message)).toEqual([
        expect.stringMatching(/dial started 195 ms after the removal was acknowledged/)
      ])
    })
    it("a removal answered 200 without an audit record", () => {
      const h = cleanHistory()
      const broken = withFinal(h, (s) => ({ ...s, removals: s.removals.filter((r) => r.lead_id !== "lead_pending") }))
      expect(checksOf(broken)).toEqual([1])
    })
    it("a removal with an unknown outcome that left the lead half removed", () => {
      const h = cleanHistory()
      const broken = withFinal(
        { ...h, operations: [...h.operations, op("delete", "lead_waiting", T0 + 2500, T0 + 7500, "unknown")] },
        (s) => ({ ...s, leads: s.leads.map((l) => (l.id === "lead_waiting" ? { ...l, state: "removed" as const } : l)) })
      )
      expect(checksOf(broken)).toEqual([1])
      // Unknown and not removed at all is consistent.
      expect(checksOf({ ...h, operations: [...h.operations, op("delete", "lead_waiting", T0 + 2500, T0 + 7500, "unknown")] })).toEqual([])
    })
  })

  describe("2. no double dial", () => {
    it("an attempt dialled twice, overlapping", () => {
      const h = cleanHistory()
      const again = { ...dialLine("lead_called", 1, T0 + 1500), call_id: "call_again" }
      expect(checksOf({ ...h, ledger: [...h.ledger, again] })).toContain(2)
      const messages = checkHistory({ ...h, ledger: [...h.ledger, again] }).filter((v) => v.check === 2).map((v) => v.message)
      expect(messages).toEqual([expect.stringMatching(/attempt 1 dialled twice/), expect.stringMatching(/calls overlap/)])
    })
    it("more dials than 1 + max_retries", () => {
      const h = cleanHistory()
      const d2 = dialLine("lead_called", 2, T0 + 70_000, { outcome: "no_answer", ring_ms: 100, talk_ms: 0 })
      const d3 = dialLine("lead_called", 3, T0 + 140_000, { outcome: "no_answer", ring_ms: 100, talk_ms: 0 })
      const broken = withFinal({ ...h, ledger: [...h.ledger, d2, d3] }, (s) => ({ ...s, call_logs: [...s.call_logs, logRow(d2), logRow(d3)] }))
      expect(checkHistory(broken).map((v) => [v.check, v.message])).toEqual([[2, "dialled 3 times; max_retries is 1"]])
    })
  })

  describe("3. no lost log", () => {
    it("a dial without its log", () => {
      const broken = withFinal(cleanHistory(), (s) => ({ ...s, call_logs: s.call_logs.filter((l) => l.lead_id !== "lead_late") }))
      expect(checksOf(broken)).toContain(3)
    })
    it("a log written after its dial", () => {
      const broken = withFinal(cleanHistory(), (s) => ({
        ...s,
        call_logs: s.call_logs.map((l) => (l.lead_id === "lead_late" ? { ...l, created_at: T0 + 5100 } : l))
      }))
      expect(checkHistory(broken).map((v) => [v.check, v.message])).toEqual([[3, "call log written 100 ms after the dial"]])
    })
    it("a log left in_progress once the run is quiet", () => {
      const broken = withFinal(cleanHistory(), (s) => ({
        ...s,
        call_logs: s.call_logs.map((l) => (l.lead_id === "lead_late" ? { ...l, status: "in_progress" } : l))
      }))
      expect(checksOf(broken)).toEqual([3])
    })
    it("a log seen earlier that disappeared", () => {
      const h = cleanHistory()
      const extra = logRow(dialLine("lead_waiting", 1, T0), { id: "log_vanished" })
      const snapshots = h.snapshots.map((s, i) => (i === 1 ? { ...s, call_logs: [...s.call_logs, extra] } : s))
      expect(checkHistory({ ...h, snapshots }).map((v) => [v.check, v.message])).toEqual([
        [3, expect.stringMatching(/call log log_vanished disappeared/)]
      ])
    })
  })

  describe("4. calls are not cut", () => {
    const withInCallHangUp = (f: (line: ReturnType<typeof hangUpLine>) => ReturnType<typeof hangUpLine>): History => {
      const h = cleanHistory()
      return { ...h, ledger: h.ledger.map((l) => (l.type === "hangup" && l.lead_id === "lead_incall" ? f(l) : l)) }
    }
    it("leadq hung up a call whose lead was removed mid-call", () => {
      expect(checksOf(withInCallHangUp((l) => ({ ...l, by: "leadq" })))).toEqual([4])
    })
    it("the call ended before its natural end", () => {
      const broken = withInCallHangUp((l) => ({ ...l, at: new Date(Date.parse(l.at) - 600).toISOString() }))
      expect(checkHistory(broken).filter((v) => v.check === 4).map((v) => v.message)).toEqual(["hung up 600 ms before its natural end"])
    })
    it("the log does not tell the call's natural end", () => {
      const broken = withFinal(cleanHistory(), (s) => ({
        ...s,
        call_logs: s.call_logs.map((l) => (l.lead_id === "lead_incall" ? { ...l, duration_seconds: 0.4 } : l))
      }))
      expect(checksOf(broken)).toEqual([4])
    })
  })

  it("5. slots do not move: a lead never dialled got another scheduled_at", () => {
    const broken = withFinal(cleanHistory(), (s) => ({
      ...s,
      leads: s.leads.map((l) => (l.id === "lead_waiting" ? { ...l, scheduled_at: T0 + 60_000 } : l))
    }))
    expect(checkHistory(broken).map((v) => [v.check, v.lead_id])).toEqual([[5, "lead_waiting"]])
  })

  describe("6. crashes heal", () => {
    it("a dead worker's lead still held after lease + sweep + slack", () => {
      const h = cleanHistory()
      const stuck = { ...h.snapshots[1]!, taken_at: T0 + 12_000 }
      const broken = { ...h, snapshots: [h.snapshots[0]!, h.snapshots[1]!, stuck, h.snapshots[2]!] }
      expect(checkHistory(broken).map((v) => [v.check, v.lead_id])).toEqual([[6, "lead_crashed"]])
    })
    it("a lead whose claim a removal voided is not held, whatever worker name it keeps", () => {
      const h = cleanHistory()
      const voided = leadRow("lead_voided", { state: "removed", outcome: null, attempts: 0, worker_id: "w2", claim_id: null, removed_from: "claimed", scheduled_at: T0 + 60 })
      const late = { ...h.snapshots[1]!, taken_at: T0 + 12_000, leads: [voided] }
      const snapshots = [h.snapshots[0]!, { ...h.snapshots[1]!, leads: [...h.snapshots[1]!.leads, voided] }, late, h.snapshots[2]!]
      const broken = withFinal({ ...h, snapshots }, (s) => ({
        ...s,
        leads: [...s.leads, voided],
        removals: [...s.removals, { ...s.removals[0]!, id: "rmv_v", lead_id: "lead_voided", removed_from: "claimed" as const }]
      }))
      expect(checkHistory(broken)).toEqual([])
    })
    it("settled as worker_lost though the carrier knew how it ended", () => {
      const broken = withFinal(cleanHistory(), (s) => ({
        ...s,
        call_logs: s.call_logs.map((l) => (l.lead_id === "lead_crashed" ? { ...l, status: "failed", end_reason: "worker_lost" } : l))
      }))
      expect(checksOf(broken)).toEqual([6])
    })
    it("logged but never placed, and settled as if it had been", () => {
      const h = cleanHistory()
      const ghost = logRow(dialLine("lead_ghost", 1, T0 + 5600), { status: "completed" })
      const held = leadRow("lead_ghost", { state: "calling", outcome: null, worker_id: "w2", claim_id: "clm_g", dialled: true, scheduled_at: T0 + 50 })
      const snapshots = h.snapshots.map((s, i) =>
        i === 1
          ? { ...s, leads: [...s.leads, held], call_logs: [...s.call_logs, { ...ghost, status: "initiated" }] }
          : i === 2
          ? { ...s, leads: [...s.leads, leadRow("lead_ghost", { scheduled_at: T0 + 50 })], call_logs: [...s.call_logs, ghost] }
          : s
      )
      expect(checkHistory({ ...h, snapshots }).map((v) => [v.check, v.lead_id])).toEqual([[6, "lead_ghost"]])
    })
  })

  describe("7. tenants stay apart", () => {
    it("another organization's request answered something else than 404", () => {
      const h = cleanHistory()
      const broken = { ...h, tenancy: { ...h.tenancy!, requests: [...h.tenancy!.requests, { request: "PATCH /v1/campaigns/cmp_1", status: 200 }] } }
      expect(checksOf(broken)).toEqual([7])
    })
    it("a row of organization A changed", () => {
      const h = cleanHistory()
      const broken = { ...h, tenancy: { ...h.tenancy!, after: { ...h.tenancy!.after, lead_late: '{"id":"lead_late","name":"x"}' } } }
      expect(checkHistory(broken).map((v) => v.message)).toEqual(["row lead_late of organization A changed during the probes"])
    })
  })

  describe("8. pacing holds", () => {
    it("more overlapping calls than max_concurrent_calls", () => {
      const h = cleanHistory()
      const third = dialLine("lead_waiting", 1, T0 + 1100)
      const broken = withFinal({ ...h, ledger: [...h.ledger, third] }, (s) => ({
        ...s,
        leads: s.leads.map((l) => (l.id === "lead_waiting" ? leadRow("lead_waiting", { scheduled_at: T0 + 20 }) : l)),
        call_logs: [...s.call_logs, logRow(third)]
      }))
      expect(checkHistory(broken).map((v) => [v.check, v.message])).toEqual([[8, expect.stringMatching(/^3 calls at once/)]])
    })
    it("a dial after a pause was acknowledged, with no resume", () => {
      const h = cleanHistory()
      const broken = { ...h, operations: h.operations.filter((o) => o.kind !== "resume") }
      expect(checkHistory(broken).map((v) => [v.check, v.lead_id])).toEqual([[8, "lead_late"], [8, "lead_crashed"]])
    })
    it("a dial after a cancel was acknowledged: no resume excuses it", () => {
      const h = cleanHistory()
      const broken = { ...h, operations: [...h.operations, op("cancel", "cmp_1", T0 + 4500, T0 + 4600)] }
      expect(checkHistory(broken).map((v) => [v.check, v.lead_id])).toEqual([[8, "lead_late"], [8, "lead_crashed"]])
    })
    it("a resume that failed does not excuse a dial after a pause", () => {
      const h = cleanHistory()
      const broken = { ...h, operations: h.operations.map((o) => (o.kind === "resume" ? { ...o, outcome: "fail" as const } : o)) }
      expect(checksOf(broken)).toEqual([8])
    })
  })

  describe("9. no dial of a suppressed number", () => {
    /**
     * Another campaign of org_a, with a lead of the same number dialled at `at` (its log committed
     * 5 ms before): everything else about it is clean, so only check 9 can object.
     */
    const dialledElsewhere = (h: History, at: number, org = "org_a"): History => {
      const d = dialLine("lead_other", 1, at, undefined, "cmp_2")
      return withFinal({ ...h, ledger: [...h.ledger, d, hangUpLine(d)] }, (s) => ({
        ...s,
        campaigns: [...s.campaigns, campaignRow({ id: "cmp_2", organization_id: org })],
        leads: [...s.leads, leadRow("lead_other", { campaign_id: "cmp_2", organization_id: org, scheduled_at: at - 100 })],
        call_logs: [...s.call_logs, logRow(d, { organization_id: org })]
      }))
    }
    const check9 = (h: History) => checkHistory(h).map((v) => [v.check, v.message, v.lead_id])

    it("the number dialled in another campaign while the suppression holds", () => {
      expect(check9(dialledElsewhere(cleanHistory(), T0 + 5800))).toEqual([
        [9, `${PHONE} dialled 95 ms after its suppression (suppress ${PHONE}) was acknowledged`, "lead_other"]
      ])
    })
    it("a lift that finished before the suppression began ends nothing", () => {
      const h = cleanHistory()
      const earlier = { ...h, operations: [...h.operations, liftOp(PHONE, T0 + 5000, T0 + 5100)] }
      expect(check9(dialledElsewhere(earlier, T0 + 5800)).map(([n, , lead]) => [n, lead])).toEqual([[9, "lead_other"]])
    })
    it("a dial decided (log committed) before the answer, placed after it, is no violation", () => {
      expect(checkHistory(dialledElsewhere(cleanHistory(), T0 + 5704))).toEqual([])
    })
    it("after the lift began the number may be dialled again", () => {
      expect(checkHistory(dialledElsewhere(cleanHistory(), T0 + 6550))).toEqual([])
    })
    it("a lift by another organization lifts nothing of org_a's", () => {
      const h = cleanHistory()
      const otherLifts = { ...h, operations: h.operations.map((o) => (o.kind === "lift" ? { ...o, organization_id: "org_b" } : o)) }
      expect(check9(dialledElsewhere(otherLifts, T0 + 7000)).map(([n, , lead]) => [n, lead])).toEqual([[9, "lead_other"]])
    })
    it("org_b's suppression of the number holds nothing over org_a's campaigns, and everything over its own", () => {
      expect(checkHistory(dialledElsewhere(cleanHistory(), T0 + 7000))).toEqual([])
      expect(check9(dialledElsewhere(cleanHistory(), T0 + 7000, "org_b")).map(([n, , lead]) => [n, lead])).toEqual([[9, "lead_other"]])
    })
    it("a lift with an unknown outcome may have happened; a refused one did not", () => {
      const h = cleanHistory()
      const withLift = (outcome: "unknown" | "fail") => ({
        ...h,
        operations: h.operations.map((o) => (o.kind === "lift" ? { ...o, outcome, started_at: T0 + 5750 } : o))
      })
      expect(checkHistory(dialledElsewhere(withLift("unknown"), T0 + 5800))).toEqual([])
      expect(check9(dialledElsewhere(withLift("fail"), T0 + 5800)).map(([n]) => n)).toEqual([9])
    })
    it("a suppression with an unknown outcome protects nothing; one by a removal with suppress=true does", () => {
      const h = cleanHistory()
      const unknown = { ...h, operations: h.operations.map((o) => (o.kind === "suppress" && o.organization_id === "org_a" ? { ...o, outcome: "unknown" as const } : o)) }
      expect(checkHistory(dialledElsewhere(unknown, T0 + 5800))).toEqual([])
      const byRemoval = {
        ...unknown,
        operations: [...unknown.operations, { ...op("delete", "lead_pending", T0 + 5710, T0 + 5720), organization_id: "org_a", suppresses: [PHONE] }]
      }
      expect(check9(dialledElsewhere(byRemoval, T0 + 5800))).toEqual([
        [9, `${PHONE} dialled 75 ms after its suppression (delete lead_pending) was acknowledged`, "lead_other"]
      ])
    })
    it("a suppression stops at its expiry", () => {
      const h = cleanHistory()
      const expiring = { ...h, operations: [...h.operations, { ...suppressOp("+14155550999", T0, T0 + 10), expires_at: T0 + 5000 }] }
      const d = { ...dialLine("lead_other", 1, T0 + 5800, undefined, "cmp_2"), phone_number: "+14155550999" }
      const dialled = (at: number) => {
        const moved = { ...d, at: new Date(at).toISOString() }
        return withFinal({ ...expiring, ledger: [...expiring.ledger, moved, hangUpLine(moved)] }, (s) => ({
          ...s,
          campaigns: [...s.campaigns, campaignRow({ id: "cmp_2" })],
          leads: [...s.leads, leadRow("lead_other", { campaign_id: "cmp_2", scheduled_at: at - 100 })],
          call_logs: [...s.call_logs, logRow(moved)]
        }))
      }
      expect(check9(dialled(T0 + 4000)).map(([n]) => n)).toEqual([9])
      expect(checkHistory(dialled(T0 + 20_000))).toEqual([])
    })
    it("a lead the worker removed for its suppressed number is dialled afterwards", () => {
      const h = cleanHistory()
      const d = dialLine("lead_suppressed", 1, T0 + 9000)
      const broken = withFinal({ ...h, ledger: [...h.ledger, d, hangUpLine(d)] }, (s) => ({ ...s, call_logs: [...s.call_logs, logRow(d)] }))
      expect(check9(broken).filter(([n]) => n === 9)).toEqual([
        [9, "attempt 1 dialled after the lead was removed at attempt 0 for its suppressed number", "lead_suppressed"]
      ])
    })
  })
})
