import type { LeadId, RemovedFrom } from "@leadq/domain"
import type { LeadqClientService } from "@leadq/transport"
import { items } from "@leadq/transport"
import { Chunk, Effect, Stream } from "effect"
import type { Entry } from "./OptOutFile.js"

/**
 * The engine of `leads remove-many`: remove the leads an opt-out list names, with bounded
 * concurrency, past single failures, and account for every entry.
 *
 * Every entry ends in exactly one bucket:
 * - removed, by the state the lead was in (pending, claimed by a worker, in a call, called);
 * - already removed: the gateway answers 404 for a removed lead, and for an id it never had.
 *   The two are told apart after the removals, from the organization's list of removed leads
 *   (`GET /v1/campaigns-leads?status=removed`): an id found there was removed before (by an
 *   earlier run, or by someone else), an id not there was never a lead of this organization;
 * - not found: no such lead (ids), or no lead with that number in the campaign (numbers);
 * - refused: its campaign is completed or cancelled (409), so it stays — it will never be
 *   dialled either;
 * - error: anything else (the gateway unreachable after the client's retries, a 5xx, …).
 *
 * Counts are of leads, except "not found" (of entries: there is no lead to count). A phone
 * number may name several leads of the campaign; each is removed and counted.
 */
export interface Tally {
  readonly removed: Record<RemovedFrom, number>
  alreadyRemoved: number
  notFound: number
  refused: number
  errors: number
  /** 404s of ids that could not be told apart (the check itself failed). */
  unchecked: number
  /** Entries processed, for progress and for what is left when interrupted. */
  readonly done: Set<Entry>
  /** What was not removed, to be written to the failures file. */
  readonly failures: Array<FailedEntry>
  /** Calls in progress at removal: not cut, no retry. */
  callsInProgress: number
  /** Ids that answered 404 and are not yet told apart (removed before, or never there). */
  readonly answered404: Map<LeadId, Entry>
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
  unchecked: 0,
  done: new Set(),
  failures: [],
  callsInProgress: 0,
  answered404: new Map()
})

export const removedTotal = (t: Tally) => t.removed.pending + t.removed.claimed + t.removed.in_call + t.removed.called

export interface RemoveManyPlan {
  readonly entries: ReadonlyArray<Entry>
  /** The campaign phone numbers are looked up in (required when there are numbers). */
  readonly campaignId: string | undefined
  readonly concurrency: number
  readonly reason: string | undefined
  readonly onEntryDone: () => void
  readonly onPhase: (text: string) => void
}

const messageOf = (e: unknown) =>
  typeof e === "object" && e !== null && "message" in e && typeof e.message === "string" ? e.message : String(e)

export const removeMany = (leadq: LeadqClientService, plan: RemoveManyPlan, tally: Tally) =>
  Effect.gen(function*() {
    const urlParams = plan.reason === undefined ? {} : { reason: plan.reason }
    const answered404 = tally.answered404

    const removeLead = (id: LeadId, entry: Entry) =>
      leadq.leads.remove({ path: { id }, urlParams }).pipe(
        Effect.matchEffect({
          onSuccess: (removal) =>
            Effect.sync(() => {
              tally.removed[removal.removed_from]++
              if (removal.call_in_progress) tally.callsInProgress++
            }),
          onFailure: (error) =>
            Effect.sync(() => {
              switch (error._tag) {
                case "LeadNotFound":
                  // A lead just found by its number and gone now was removed meanwhile.
                  if (entry.kind === "phone") tally.alreadyRemoved++
                  else answered404.set(id, entry)
                  return
                case "CampaignTerminal":
                  tally.refused++
                  tally.failures.push({ value: id, kind: "refused", why: error.message })
                  return
                default:
                  tally.errors++
                  tally.failures.push({ value: id, kind: "error", why: messageOf(error) })
              }
            })
        })
      )

    const removeByPhone = (entry: Entry & { readonly kind: "phone" }, campaignId: string) =>
      Effect.gen(function*() {
        const byPhone = { campaign_id: campaignId, phone_number: entry.value }
        const leads = Chunk.toReadonlyArray(
          yield* Stream.runCollect(items((page) => leadq.leads.list({ urlParams: { ...byPhone, page, limit: 100 } })))
        )
        if (leads.length === 0) {
          const removed = yield* leadq.leads.list({ urlParams: { ...byPhone, status: "removed", page: 1, limit: 1 } })
          if (removed.meta.total > 0) {
            tally.alreadyRemoved += removed.meta.total
          } else {
            tally.notFound++
            tally.failures.push({ value: entry.value, kind: "not_found", why: `no lead with this number in campaign ${campaignId}` })
          }
          return
        }
        for (const lead of leads) yield* removeLead(lead.id, entry)
      }).pipe(
        Effect.catchAll((error) =>
          Effect.sync(() => {
            tally.errors++
            tally.failures.push({ value: entry.value, kind: "error", why: `looking the number up: ${messageOf(error)}` })
          })
        )
      )

    yield* Effect.forEach(
      plan.entries,
      (entry) =>
        // Done once its answer is in: an entry whose request was cut by an interruption is not.
        Effect.zipRight(
          entry.kind === "id" ? removeLead(entry.value, entry) : removeByPhone(entry, plan.campaignId!),
          Effect.sync(() => {
            tally.done.add(entry)
            plan.onEntryDone()
          })
        ),
      { concurrency: plan.concurrency, discard: true }
    )

    if (answered404.size === 0) return
    plan.onPhase(`telling ${answered404.size} answers of 404 apart…`)
    const unseen = new Set(answered404.keys())
    const total404 = answered404.size
    // Read in page order, one page at a time: the removed list only grows, and a lead removed
    // meanwhile pushes the others later, never earlier, so none is skipped.
    const checked = yield* Stream.runForEachWhile(
      items((page) => leadq.leads.list({ urlParams: { status: "removed", page, limit: 100 } })),
      (lead) =>
        Effect.sync(() => {
          unseen.delete(lead.id)
          return unseen.size > 0
        })
    ).pipe(Effect.either)
    answered404.clear()
    if (checked._tag === "Left") {
      tally.unchecked += unseen.size
      tally.errors += unseen.size
      for (const id of unseen) {
        tally.failures.push({
          value: id,
          kind: "error",
          why: `answered 404 (removed before, or never a lead); could not check which: ${messageOf(checked.left)}`
        })
      }
      tally.alreadyRemoved += total404 - unseen.size
      return
    }
    tally.alreadyRemoved += total404 - unseen.size
    tally.notFound += unseen.size
    for (const id of unseen) tally.failures.push({ value: id, kind: "not_found", why: "no such lead in this organization" })
  })
