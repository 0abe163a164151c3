import type { Violation } from "../History.js"
import type { Tables } from "../Tables.js"

/**
 * Check 2. A lead's calls never overlap in the ledger; each (lead, attempt) and each call id is
 * dialled at most once; no lead is dialled more than 1 + `max_retries` times.
 */
export const noDoubleDial = (t: Tables): ReadonlyArray<Violation> => {
  const out: Array<Violation> = []
  const callIds = new Set<string>()
  for (const call of t.calls) {
    if (callIds.has(call.dial.call_id)) out.push({ check: 2, message: "call id dialled twice", call_id: call.dial.call_id, lead_id: call.dial.lead_id })
    callIds.add(call.dial.call_id)
  }
  for (const [leadId, calls] of t.callsByLead) {
    const attempts = new Set<number>()
    for (const [i, call] of calls.entries()) {
      if (attempts.has(call.dial.attempt)) {
        out.push({ check: 2, message: `attempt ${call.dial.attempt} dialled twice`, lead_id: leadId, call_id: call.dial.call_id })
      }
      attempts.add(call.dial.attempt)
      const previous = calls[i - 1]
      if (previous !== undefined && call.start < previous.end) {
        out.push({
          check: 2,
          message: `calls overlap: ${previous.dial.call_id} (until ${new Date(previous.end).toISOString()}) and ${call.dial.call_id} (from ${call.dial.at})`,
          lead_id: leadId,
          call_id: call.dial.call_id
        })
      }
    }
    const campaign = t.campaignById.get(calls[0]!.dial.campaign_id)
    if (campaign !== undefined && calls.length > 1 + campaign.max_retries) {
      out.push({ check: 2, message: `dialled ${calls.length} times; max_retries is ${campaign.max_retries}`, lead_id: leadId })
    }
  }
  return out
}
