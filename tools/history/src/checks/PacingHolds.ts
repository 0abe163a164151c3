import type { ClientOp, Violation } from "../History.js"
import type { Tables } from "../Tables.js"

/**
 * Check 8. At no instant does a campaign have more overlapping calls in the ledger than its
 * `max_concurrent_calls`; and no dial of a campaign starts (its call log committed) after a pause
 * or cancel of it was acknowledged — unless, for a pause, a resume that may have taken effect
 * (answered ok, or unknown, and not over before the pause began) had started by then.
 */
export const pacingHolds = (t: Tables): ReadonlyArray<Violation> => {
  const out: Array<Violation> = []
  const byCampaign = new Map<string, Array<[number, number]>>()
  for (const call of t.calls) {
    const points = byCampaign.get(call.dial.campaign_id) ?? []
    points.push([call.start, +1], [call.end, -1])
    byCampaign.set(call.dial.campaign_id, points)
  }
  for (const [campaignId, points] of byCampaign) {
    const campaign = t.campaignById.get(campaignId)
    if (campaign === undefined) continue
    // An end and a start at the same instant: the slot was freed, then taken.
    points.sort((a, b) => a[0] - b[0] || a[1] - b[1])
    let now = 0
    for (const [at, delta] of points) {
      now += delta
      if (now > campaign.max_concurrent_calls) {
        out.push({ check: 8, message: `${now} calls at once at ${new Date(at).toISOString()}; max_concurrent_calls is ${campaign.max_concurrent_calls}`, campaign_id: campaignId })
        break
      }
    }
  }
  const resumesOf = new Map<string, Array<ClientOp>>()
  for (const o of t.history.operations) {
    if (o.kind !== "resume" || o.outcome === "fail") continue
    resumesOf.set(o.target, [...(resumesOf.get(o.target) ?? []), o])
  }
  const resumes = (campaignId: string): ReadonlyArray<ClientOp> => resumesOf.get(campaignId) ?? []
  const stops = t.history.operations.filter((o): o is ClientOp => (o.kind === "pause" || o.kind === "cancel") && o.outcome === "ok")
  for (const stop of stops) {
    for (const call of t.calls) {
      if (call.dial.campaign_id !== stop.target) continue
      const start = t.dialStart(call)
      if (start <= stop.ended_at) continue
      const excused = stop.kind === "pause" &&
        resumes(stop.target).some((r) => r.ended_at >= stop.started_at && r.started_at <= start)
      if (!excused) {
        out.push({
          check: 8,
          message: `dial started ${start - stop.ended_at} ms after a ${stop.kind} was acknowledged`,
          campaign_id: stop.target,
          lead_id: call.dial.lead_id,
          call_id: call.dial.call_id
        })
      }
    }
  }
  return out
}
