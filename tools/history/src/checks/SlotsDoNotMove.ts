import type { Violation } from "../History.js"
import type { Tables } from "../Tables.js"

/**
 * Check 5. A lead that was neither removed nor ever dialled keeps the slot (`scheduled_at`) it was
 * given when enqueued: removals, claims given back and pauses move nobody.
 */
export const slotsDoNotMove = (t: Tables): ReadonlyArray<Violation> => {
  const out: Array<Violation> = []
  const first = new Map<string, number>()
  for (const op of t.history.operations) {
    if (op.kind === "add" && op.outcome === "ok" && op.lead_id !== undefined && op.scheduled_at !== undefined) {
      first.set(op.lead_id, op.scheduled_at)
    }
  }
  for (const snapshot of t.history.snapshots) {
    for (const lead of snapshot.leads) if (!first.has(lead.id)) first.set(lead.id, lead.scheduled_at)
  }
  const byId = t.history.snapshots.map((s) => new Map(s.leads.map((l) => [l.id, l])))
  for (const lead of t.final.leads) {
    if (lead.state === "removed" || lead.attempts > 0 || t.callsByLead.has(lead.id)) continue
    const given = first.get(lead.id)!
    for (const leads of byId) {
      const seen = leads.get(lead.id)
      if (seen !== undefined && seen.scheduled_at !== given) {
        out.push({
          check: 5,
          message: `slot moved from ${new Date(given).toISOString()} to ${new Date(seen.scheduled_at).toISOString()}`,
          lead_id: lead.id,
          campaign_id: lead.campaign_id
        })
        break
      }
    }
  }
  return out
}
