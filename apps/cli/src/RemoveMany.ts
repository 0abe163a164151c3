import type { BulkRemoval, BulkRemovalItem, RemovedFrom } from "@leadq/domain"
import type { LeadqClientService } from "@leadq/transport"
import { withIdempotencyKey } from "@leadq/transport"
import { Effect } from "effect"
import { retryTransient } from "./BatchRetry.js"
import type { Entry } from "./OptOutFile.js"

/**
 * The engine of `leads remove-many`: remove the leads an opt-out list names, in batches on
 * `POST /v1/campaigns-leads/bulk-remove`, a few requests in flight, past failed batches, and
 * account for every entry.
 *
 * Every entry ends in exactly one bucket, as the gateway answered it (one result per lead it
 * names, one `not_found` result for an entry that names none):
 * - removed, by the state the lead was in (pending, claimed by a worker, in a call, called);
 * - already removed: removed before (by an earlier run, by someone else — or by this run, when a
 *   batch was sent again after its answer was lost);
 * - not found: no such lead in this organization (ids), or no lead with that number in the
 *   campaign (numbers);
 * - refused: its campaign is completed or cancelled, so it stays — it will never be dialled either;
 * - error: its batch failed (the gateway unreachable or failing after the retries, …): every
 *   entry of that batch, none of which may have been removed.
 *
 * Counts are of leads, except "not found" and "errors" (of entries: there is no lead, or none
 * known, to count). A phone number may name several leads of the campaign; each is counted.
 */
export interface Tally {
  readonly removed: Record<RemovedFrom, number>
  alreadyRemoved: number
  notFound: number
  refused: number
  errors: number
  /** Requests sent again after a lost answer or a transient failure. */
  retries: number
  /** Entries answered, for progress and for what is left when interrupted. */
  readonly done: Set<Entry>
  /** What was not removed, to be written to the failures file. */
  readonly failures: Array<FailedEntry>
  /** Calls in progress at removal: not cut, no retry. */
  callsInProgress: number
}

export interface FailedEntry {
  readonly value: string
  readonly kind: "not_found" | "refused" | "error" | "not_attempted"
  readonly why: string
}

export const emptyTally = (): Tally => ({
  removed: { pending: 0, claimed: 0, in_call: 0, called: 0 },
  alreadyRemoved: 0,
  notFound: 0,
  refused: 0,
  errors: 0,
  retries: 0,
  done: new Set(),
  failures: [],
  callsInProgress: 0
})

export const removedTotal = (t: Tally) => t.removed.pending + t.removed.claimed + t.removed.in_call + t.removed.called

export interface RemoveManyPlan {
  readonly entries: ReadonlyArray<Entry>
  /** The campaign phone numbers are matched in (required when there are numbers). */
  readonly campaignId: string | undefined
  /** Requests in flight at once. */
  readonly concurrency: number
  /** Entries per request, at most the gateway's 1,000. */
  readonly batchSize: number
  readonly reason: string | undefined
  readonly onEntriesDone: (n: number) => void
  /** A word for the progress line ("batch sent again after …"). */
  readonly onStatus: (text: string) => void
}

type IdEntry = Extract<Entry, { readonly kind: "id" }>
type PhoneEntry = Extract<Entry, { readonly kind: "phone" }>

/** One request's worth of entries, all of one kind (ids, or numbers of the campaign). */
export type Batch =
  | { readonly kind: "id"; readonly entries: ReadonlyArray<IdEntry> }
  | { readonly kind: "phone"; readonly entries: ReadonlyArray<PhoneEntry> }

const chunks = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** The file's entries cut into batches of one kind each (the ids, then the numbers), in file order. */
export const batchesOf = (entries: ReadonlyArray<Entry>, size: number): Array<Batch> => [
  ...chunks(entries.filter((e): e is IdEntry => e.kind === "id"), size).map((c): Batch => ({ kind: "id", entries: c })),
  ...chunks(entries.filter((e): e is PhoneEntry => e.kind === "phone"), size).map((c): Batch => ({ kind: "phone", entries: c }))
]

const messageOf = (e: unknown) =>
  typeof e === "object" && e !== null && "message" in e && typeof e.message === "string" ? e.message : String(e)

/** Counts one batch's answer into the tally, entry by entry. */
const account = (tally: Tally, batch: Batch, answer: BulkRemoval, campaignId: string | undefined) => {
  const byInput = new Map<string, Array<BulkRemovalItem>>()
  for (const item of answer.results) {
    const items = byInput.get(item.input)
    if (items === undefined) byInput.set(item.input, [item])
    else items.push(item)
  }
  for (const entry of batch.entries) {
    const items = byInput.get(entry.value)
    if (items === undefined) {
      // The contract promises an answer per entry; one missing is not taken for a success.
      tally.errors++
      tally.failures.push({ value: entry.value, kind: "error", why: "the gateway's answer did not mention it" })
      continue
    }
    for (const item of items) {
      switch (item.outcome) {
        case "removed":
          if (item.removed_from === null) {
            tally.errors++
            tally.failures.push({ value: item.lead_id ?? entry.value, kind: "error", why: "answered removed, without the state it was removed from" })
            break
          }
          tally.removed[item.removed_from]++
          if (item.call_in_progress) tally.callsInProgress++
          break
        case "already_removed":
          tally.alreadyRemoved++
          break
        case "not_found":
          tally.notFound++
          tally.failures.push({
            value: entry.value,
            kind: "not_found",
            why: entry.kind === "id" ? "no such lead in this organization" : `no lead with this number in campaign ${campaignId}`
          })
          break
        case "refused":
          tally.refused++
          tally.failures.push({
            // The lead itself: fed back, it needs no --campaign.
            value: item.lead_id ?? entry.value,
            kind: "refused",
            why: `its campaign is completed or cancelled${entry.kind === "phone" ? ` (number ${entry.value})` : ""}`
          })
          break
      }
    }
  }
}

export const removeMany = (leadq: LeadqClientService, plan: RemoveManyPlan, tally: Tally) =>
  Effect.forEach(
    batchesOf(plan.entries, plan.batchSize),
    (batch) => {
      const payload = batch.kind === "id"
        ? { lead_ids: batch.entries.map((e) => e.value), reason: plan.reason }
        : { campaign_id: plan.campaignId!, phone_numbers: batch.entries.map((e) => e.value), reason: plan.reason }
      // One Idempotency-Key per batch, the same on each re-send (the transport does not retry it
      // on its own: this loop does, and counts): a batch whose answer was lost is answered by
      // the gateway with that answer, not run again.
      const key = globalThis.crypto.randomUUID()
      const send = retryTransient(
        leadq.leads.removeMany({ payload }).pipe(withIdempotencyKey(key, { retry: false })),
        (error, retry) =>
          Effect.sync(() => {
            tally.retries++
            plan.onStatus(`a batch sent again (${retry}) after: ${messageOf(error).slice(0, 80)}`)
          })
      )
      return send.pipe(
        Effect.match({
          onSuccess: (answer) => account(tally, batch, answer, plan.campaignId),
          onFailure: (error) => {
            tally.errors += batch.entries.length
            const why = messageOf(error).replace(/[\r\n]+/g, " ")
            for (const entry of batch.entries) tally.failures.push({ value: entry.value, kind: "error", why })
          }
        }),
        // Done once its answer is in: the entries of a request cut by an interruption are not.
        Effect.zipRight(Effect.sync(() => {
          for (const entry of batch.entries) tally.done.add(entry)
          plan.onEntriesDone(batch.entries.length)
        }))
      )
    },
    { concurrency: plan.concurrency, discard: true }
  )
