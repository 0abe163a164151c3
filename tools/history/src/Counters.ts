import type { Snapshot } from "./History.js"

const COUNTERS = ["total_leads", "pending_leads", "in_progress_leads", "completed_leads", "failed_leads", "removed_leads"] as const

/**
 * Each campaign's live counters as the API answered them (`GET /v1/campaigns/{id}`), against
 * what its rows in a snapshot say: one line per counter that differs.
 */
export const counterMismatches = (
  snapshot: Snapshot,
  apiCampaigns: ReadonlyArray<Readonly<Record<string, unknown>>>
): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (const api of apiCampaigns) {
    const id = String(api["id"])
    const mine = snapshot.leads.filter((l) => l.campaign_id === id)
    const rows: Record<(typeof COUNTERS)[number], number> = {
      total_leads: mine.length,
      pending_leads: mine.filter((l) => l.state === "pending").length,
      in_progress_leads: mine.filter((l) => l.state === "calling").length,
      completed_leads: mine.filter((l) => l.state === "called" && l.outcome === "completed").length,
      failed_leads: mine.filter((l) => l.state === "called" && l.outcome === "failed").length,
      removed_leads: mine.filter((l) => l.state === "removed").length
    }
    for (const k of COUNTERS) {
      if (api[k] !== rows[k]) out.push(`${id}.${k}: the API says ${String(api[k])}, the rows say ${rows[k]}`)
    }
  }
  return out
}
