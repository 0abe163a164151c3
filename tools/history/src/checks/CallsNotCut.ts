import type { Violation } from "../History.js"
import type { Tables } from "../Tables.js"

/**
 * Check 4. A call whose lead was removed mid-call (`in_call`) ends by the simulated outcome: no
 * hang-up from leadq, no hang-up before its planned end, and its call log tells that natural end
 * (status, and the talk time of a completed call).
 */
export const callsNotCut = (t: Tables): ReadonlyArray<Violation> => {
  const out: Array<Violation> = []
  for (const removal of t.final.removals) {
    if (removal.removed_from !== "in_call") continue
    const call = (t.callsByLead.get(removal.lead_id) ?? []).find((c) => c.dial.attempt === removal.attempt)
    // Logged but never placed (its worker died in between): there was no call to cut.
    if (call === undefined) continue
    const v = (message: string) => out.push({ check: 4, message, lead_id: removal.lead_id, call_id: call.dial.call_id })
    for (const h of call.hangUps) {
      if (h.by === "leadq") v("leadq hung up a call whose lead was removed mid-call")
      else if (Date.parse(h.at) < call.planned.ended_at) v(`hung up ${call.planned.ended_at - Date.parse(h.at)} ms before its natural end`)
    }
    const log = t.logByCallId.get(call.dial.call_id)
    if (log === undefined) continue
    if (log.status !== call.planned.outcome.status) v(`call log says ${log.status} but the call ended ${call.planned.outcome.status}`)
    else if (log.duration_seconds !== call.planned.outcome.duration_seconds) {
      v(`call log says ${log.duration_seconds} s but the call lasted ${call.planned.outcome.duration_seconds} s`)
    }
  }
  return out
}
