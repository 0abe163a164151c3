import type { History } from "@leadq/history"
import { counterMismatches } from "@leadq/history"

/**
 * What the history checker does not look at, and a crash must not lose either: every lead whose
 * creation was acknowledged (201) is in the database; every acknowledged cancel stands; no lead
 * is left calling once the run is quiet; and each campaign's live counters, as the API answers
 * them at the end, equal its rows. (Acknowledged removals standing, with their audit records, and
 * every call log settled are checks 1 and 3 of the checker.)
 */
export const nothingLost = (history: History, apiCampaigns: ReadonlyArray<Record<string, unknown>>): ReadonlyArray<string> => {
  const final = history.snapshots[history.snapshots.length - 1]
  if (final === undefined) return ["no final snapshot"]
  const out: Array<string> = []
  const leads = new Map(final.leads.map((l) => [l.id, l]))
  const campaigns = new Map(final.campaigns.map((c) => [c.id, c]))
  for (const op of history.operations) {
    if (op.kind === "add" && op.outcome === "ok" && (op.lead_id === undefined || !leads.has(op.lead_id))) {
      out.push(`lead ${op.lead_id} was created (201) but is not in the database`)
    }
    if (op.kind === "cancel" && op.outcome === "ok" && campaigns.get(op.target)?.status !== "cancelled") {
      out.push(`campaign ${op.target} was cancelled (200) but ends ${campaigns.get(op.target)?.status ?? "missing"}`)
    }
  }
  for (const l of final.leads) if (l.state === "calling") out.push(`lead ${l.id} still calling once the run was quiet`)
  out.push(...counterMismatches(final, apiCampaigns))
  return out
}
