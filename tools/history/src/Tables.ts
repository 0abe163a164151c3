import type { LedgerDial, LedgerHangUp } from "@leadq/telephony"
import { courseOf } from "@leadq/telephony"
import type { CallLogRow, CampaignRow, History, LeadRow, RemovalRow, Snapshot } from "./History.js"

/** One call of the ledger with its span: from the dial to its hang-up (or its planned end). */
export interface LedgerCall {
  readonly dial: LedgerDial
  readonly start: number
  readonly end: number
  readonly hangUps: ReadonlyArray<LedgerHangUp>
  readonly planned: ReturnType<typeof courseOf>
}

/** The history loaded into tables keyed the way the checks join them. */
export interface Tables {
  readonly history: History
  readonly final: Snapshot
  readonly calls: ReadonlyArray<LedgerCall>
  readonly callsByLead: ReadonlyMap<string, ReadonlyArray<LedgerCall>>
  readonly logByCallId: ReadonlyMap<string, CallLogRow>
  readonly logsByLeadAttempt: ReadonlyMap<string, ReadonlyArray<CallLogRow>>
  readonly removalByLead: ReadonlyMap<string, RemovalRow>
  readonly leadById: ReadonlyMap<string, LeadRow>
  readonly campaignById: ReadonlyMap<string, CampaignRow>
  /** When the dial really started: its call log's commit (the point of no return), else the ledger line. */
  readonly dialStart: (call: LedgerCall) => number
}

export const leadAttempt = (leadId: string, attempt: number) => `${leadId}#${attempt}`

const group = <A>(items: ReadonlyArray<A>, key: (a: A) => string): Map<string, Array<A>> => {
  const out = new Map<string, Array<A>>()
  for (const item of items) {
    const k = key(item)
    const list = out.get(k)
    if (list === undefined) out.set(k, [item])
    else list.push(item)
  }
  return out
}

const EMPTY: Snapshot = { taken_at: 0, campaigns: [], leads: [], call_logs: [], removals: [] }

export const tablesOf = (history: History): Tables => {
  const final = history.snapshots[history.snapshots.length - 1] ?? EMPTY
  const hangUps = group(
    history.ledger.filter((l): l is LedgerHangUp => l.type === "hangup"),
    (h) => h.call_id
  )
  const calls = history.ledger
    .filter((l): l is LedgerDial => l.type === "dial")
    .map((dial): LedgerCall => {
      const start = Date.parse(dial.at)
      const planned = courseOf(start, dial.plan)
      const mine = hangUps.get(dial.call_id) ?? []
      const end = mine.length > 0 ? Math.min(...mine.map((h) => Date.parse(h.at))) : planned.ended_at
      return { dial, start, end, hangUps: mine, planned }
    })
    .sort((a, b) => a.start - b.start)
  const logByCallId = new Map(final.call_logs.map((l) => [l.call_id, l]))
  return {
    history,
    final,
    calls,
    callsByLead: group(calls, (c) => c.dial.lead_id),
    logByCallId,
    logsByLeadAttempt: group(final.call_logs, (l) => leadAttempt(l.lead_id, l.attempt)),
    removalByLead: new Map(final.removals.map((r) => [r.lead_id, r])),
    leadById: new Map(final.leads.map((l) => [l.id, l])),
    campaignById: new Map(final.campaigns.map((c) => [c.id, c])),
    dialStart: (call) => logByCallId.get(call.dial.call_id)?.created_at ?? call.start
  }
}
