import type { Violation } from "../History.js"
import type { Tables } from "../Tables.js"
import { leadAttempt } from "../Tables.js"

/**
 * Check 3. Every dial of the ledger has exactly one call log for its (lead, attempt), with its
 * call id, created before the dial; once the run is quiet no log is left `initiated` or
 * `in_progress`; no log seen in one snapshot is missing from a later one.
 */
export const noLostLog = (t: Tables): ReadonlyArray<Violation> => {
  const out: Array<Violation> = []
  for (const call of t.calls) {
    const { attempt, call_id, lead_id } = call.dial
    const logs = t.logsByLeadAttempt.get(leadAttempt(lead_id, attempt)) ?? []
    if (logs.length !== 1) {
      out.push({ check: 3, message: `attempt ${attempt} was dialled and has ${logs.length} call logs`, lead_id, call_id })
      continue
    }
    const log = logs[0]!
    if (log.call_id !== call_id) out.push({ check: 3, message: `the log of attempt ${attempt} is for call ${log.call_id}`, lead_id, call_id })
    if (log.created_at > call.start) {
      out.push({ check: 3, message: `call log written ${log.created_at - call.start} ms after the dial`, lead_id, call_id })
    }
  }
  for (const log of t.final.call_logs) {
    if (log.status === "initiated" || log.status === "in_progress") {
      out.push({ check: 3, message: `call log left ${log.status} once the run was quiet`, lead_id: log.lead_id, call_id: log.call_id })
    }
  }
  // A log present in one snapshot and missing from a later one is missing from the snapshot
  // right after some snapshot that had it: comparing neighbours finds every disappearance.
  const snapshots = t.history.snapshots
  for (let i = 0; i < snapshots.length - 1; i++) {
    const next = snapshots[i + 1]!
    const kept = new Set(next.call_logs.map((l) => l.id))
    for (const log of snapshots[i]!.call_logs) {
      if (!kept.has(log.id)) {
        out.push({ check: 3, message: `call log ${log.id} disappeared (snapshot at ${new Date(next.taken_at).toISOString()})`, lead_id: log.lead_id, call_id: log.call_id })
      }
    }
  }
  return out
}
