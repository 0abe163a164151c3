import type { Violation } from "../History.js"
import type { Tables } from "../Tables.js"

/**
 * Check 1. For a removal answered 200: there is an audit record and the lead is removed; no dial
 * of a later attempt than the one the lead was at; no dial that started (its call log committed)
 * after the answer. A removal whose outcome is unknown proves nothing either way, but the lead
 * must be consistent: removed with an audit record, or not removed at all. And every removed lead
 * has its audit record (invariant 5).
 */
export const noDialAfterRemoval = (t: Tables): ReadonlyArray<Violation> => {
  const out: Array<Violation> = []
  const v = (message: string, lead_id: string, call_id?: string) => out.push({ check: 1, message, lead_id, call_id })
  for (const op of t.history.operations) {
    if (op.kind !== "delete") continue
    const lead = t.leadById.get(op.target)
    const removal = t.removalByLead.get(op.target)
    if (op.outcome === "unknown") {
      const removed = lead?.state === "removed"
      if (removed !== (removal !== undefined)) {
        v(`removal with unknown outcome left the lead inconsistent: state ${lead?.state ?? "missing"}, audit record ${removal ? "present" : "absent"}`, op.target)
      }
      continue
    }
    if (op.outcome !== "ok") continue
    if (removal === undefined) {
      v("removal answered 200 but there is no audit record", op.target)
      continue
    }
    if (lead !== undefined && lead.state !== "removed") v(`removal answered 200 but the lead is ${lead.state}`, op.target)
    for (const call of t.callsByLead.get(op.target) ?? []) {
      if (call.dial.attempt > removal.attempt) {
        v(`attempt ${call.dial.attempt} dialled after a removal acknowledged at attempt ${removal.attempt} (${removal.removed_from})`, op.target, call.dial.call_id)
      } else if (t.dialStart(call) > op.ended_at) {
        v(`dial started ${t.dialStart(call) - op.ended_at} ms after the removal was acknowledged`, op.target, call.dial.call_id)
      }
    }
  }
  for (const lead of t.final.leads) {
    if ((lead.state === "removed") !== t.removalByLead.has(lead.id)) {
      v(`lead is ${lead.state} but its audit record is ${t.removalByLead.has(lead.id) ? "present" : "missing"}`, lead.id)
    }
  }
  return out
}
