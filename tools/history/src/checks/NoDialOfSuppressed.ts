import type { ClientOp, Violation } from "../History.js"
import type { Tables } from "../Tables.js"

/** One acknowledged suppression of a number in an organization, and the span it certainly holds. */
interface Window {
  readonly organization_id: string
  readonly phone: string
  readonly from: number
  readonly until: number
  readonly op: ClientOp
}

const key = (org: string, phone: string) => `${org} ${phone}`

/**
 * The span each acknowledged suppression certainly holds: from its answer until whatever may have
 * ended it — its own expiry, or the *start* of a lift (or of a write of the same number with an
 * expiry, which may shorten it) that was not refused and did not finish before the suppression
 * began, since such a request may have committed after it. A suppression whose outcome is unknown
 * protects nothing: it may not have happened.
 */
export const suppressionWindows = (ops: ReadonlyArray<ClientOp>): ReadonlyArray<Window> => {
  const enders = new Map<string, Array<ClientOp>>()
  for (const op of ops) {
    if (op.outcome === "fail" || op.organization_id === undefined) continue
    const phones = op.kind === "lift" ? [op.target] : op.expires_at !== undefined ? op.suppresses ?? [] : []
    for (const phone of phones) {
      const k = key(op.organization_id, phone)
      enders.set(k, [...(enders.get(k) ?? []), op])
    }
  }
  const out: Array<Window> = []
  for (const op of ops) {
    if (op.outcome !== "ok" || op.organization_id === undefined) continue
    for (const phone of op.suppresses ?? []) {
      let until = op.expires_at ?? Infinity
      for (const e of enders.get(key(op.organization_id, phone)) ?? []) {
        if (e !== op && e.ended_at >= op.started_at) until = Math.min(until, e.started_at)
      }
      if (until > op.ended_at) out.push({ organization_id: op.organization_id, phone, from: op.ended_at, until, op })
    }
  }
  return out
}

/**
 * Check 9. Once a suppression of a number is acknowledged, no campaign of that organization dials
 * the number — by the carrier's ledger, with each dial dated by its call log's commit (the pre-dial
 * re-check) — until the suppression is lifted or expires. And a lead the worker removed because
 * its number was suppressed (audit reason `suppressed`) is never dialled again.
 */
export const noDialOfSuppressed = (t: Tables): ReadonlyArray<Violation> => {
  const out: Array<Violation> = []
  const byNumber = new Map<string, Array<Window>>()
  for (const w of suppressionWindows(t.history.operations)) {
    const k = key(w.organization_id, w.phone)
    byNumber.set(k, [...(byNumber.get(k) ?? []), w])
  }
  for (const call of t.calls) {
    const org = t.campaignById.get(call.dial.campaign_id)?.organization_id
    if (org === undefined) continue
    const start = t.dialStart(call)
    for (const w of byNumber.get(key(org, call.dial.phone_number)) ?? []) {
      if (start > w.from && start < w.until) {
        out.push({
          check: 9,
          message: `${w.phone} dialled ${start - w.from} ms after its suppression (${w.op.kind} ${w.op.target}) was acknowledged`,
          lead_id: call.dial.lead_id,
          campaign_id: call.dial.campaign_id,
          call_id: call.dial.call_id
        })
        break
      }
    }
  }
  for (const removal of t.final.removals) {
    if (removal.reason !== "suppressed") continue
    for (const call of t.callsByLead.get(removal.lead_id) ?? []) {
      if (call.dial.attempt > removal.attempt) {
        out.push({
          check: 9,
          message: `attempt ${call.dial.attempt} dialled after the lead was removed at attempt ${removal.attempt} for its suppressed number`,
          lead_id: removal.lead_id,
          campaign_id: removal.campaign_id,
          call_id: call.dial.call_id
        })
      }
    }
  }
  return out
}
