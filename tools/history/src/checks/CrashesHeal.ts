import type { LeadRow, Violation } from "../History.js"
import type { Tables } from "../Tables.js"
import { leadAttempt } from "../Tables.js"

/**
 * Check 6. After a worker is killed, every lead it held (the first snapshot taken after the kill
 * tells which) is taken over within lease + sweep interval + slack — no snapshot after that
 * deadline shows it still held by the dead worker — and, once the run is quiet, it is final or
 * back in the queue with its log settled: from the carrier's answer when the ledger has the call
 * (the status it really ended with), else `failed` with `end_reason: worker_lost`.
 */
export const crashesHeal = (t: Tables): ReadonlyArray<Violation> => {
  const out: Array<Violation> = []
  const timing = t.history.timing
  for (const crash of t.history.crashes ?? []) {
    const after = t.history.snapshots.find((s) => s.taken_at >= crash.killed_at)
    if (after === undefined) {
      out.push({ check: 6, message: `no snapshot after ${crash.worker_id} was killed: nothing to check` })
      continue
    }
    // Held means a current claim: a removal voids a claim but may leave the last worker's name.
    const heldBy = (l: LeadRow) => l.claim_id !== null && l.worker_id === crash.worker_id
    const held = after.leads.filter(heldBy)
    if (timing !== undefined) {
      const deadline = crash.killed_at + timing.lease_ms + timing.sweep_interval_ms + timing.slack_ms
      for (const s of t.history.snapshots.filter((x) => x.taken_at >= deadline)) {
        for (const lead of s.leads.filter(heldBy)) {
          out.push({ check: 6, message: `still held by ${crash.worker_id} ${s.taken_at - crash.killed_at} ms after it was killed`, lead_id: lead.id })
        }
      }
    }
    for (const was of held) {
      const lead = t.leadById.get(was.id)
      if (lead === undefined) continue
      if (lead.state === "calling") out.push({ check: 6, message: `held by ${crash.worker_id} when it died, still calling at the end`, lead_id: lead.id })
      if (!was.dialled) continue
      const attempt = was.attempts
      const log = (t.logsByLeadAttempt.get(leadAttempt(was.id, attempt)) ?? [])[0]
      if (log === undefined) {
        out.push({ check: 6, message: `attempt ${attempt} of a dead worker has no call log`, lead_id: was.id })
        continue
      }
      const call = t.calls.find((c) => c.dial.call_id === log.call_id)
      if (call === undefined) {
        if (log.status !== "failed" || log.end_reason !== "worker_lost") {
          out.push({ check: 6, message: `never placed, but settled as ${log.status}/${log.end_reason} instead of worker_lost`, lead_id: was.id, call_id: log.call_id })
        }
      } else if (log.status !== call.planned.outcome.status) {
        out.push({ check: 6, message: `settled as ${log.status}/${log.end_reason}, but the carrier says ${call.planned.outcome.status}`, lead_id: was.id, call_id: log.call_id })
      }
    }
  }
  return out
}
