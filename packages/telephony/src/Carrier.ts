import type { CallId, CallOutcome, CampaignId, E164, LeadId, Notes, OrganizationId } from "@leadq/domain"
import type { Effect } from "effect"
import { Context, Data, Stream } from "effect"

/**
 * The carrier port (docs/design.md §1): whatever actually rings phones. The worker asks it to
 * place the call of a dial it has already logged, follows the call's events to the end, and —
 * when it recovers a dead worker's claim — asks what became of a call it did not place itself.
 *
 * Our `call_id` is the correlation id: every adapter makes the carrier know the call by it
 * (the simulated carrier's ledger is keyed by it; the HTTP carrier sends it as `external_id`,
 * which is also what makes a retried dial request safe).
 */
export interface DialRequest {
  readonly call_id: CallId
  readonly lead_id: LeadId
  readonly campaign_id: CampaignId
  readonly organization_id: OrganizationId
  readonly attempt: number
  readonly phone_number: E164
  readonly from_phone_number: E164
  readonly agent_id: string
  readonly name: string | null
  /** The lead's notes: they reach the agent as dynamic variables. */
  readonly notes: Notes
  /** Who placed it (kept in the simulated carrier's ledger, for the history checks). */
  readonly worker_id: string
}

/**
 * What happens on a call, in order: at most one `Connected` (the callee answered), then exactly
 * one `Ended`, which closes the stream.
 */
export type CallEvent = Data.TaggedEnum<{
  Connected: { readonly at: Date }
  Ended: { readonly outcome: CallOutcome }
}>
export const CallEvent = Data.taggedEnum<CallEvent>()

/**
 * A call the carrier accepted. A dial request that could not be placed at all is still a
 * `PlacedCall`: its events end at once with a `failed` outcome and a clear `end_reason`
 * (`network_failure`), so no lead is ever left hanging on a carrier error.
 */
export interface PlacedCall {
  /** The carrier's own id of the call, when it has one. */
  readonly provider_call_id: string | null
  readonly events: Stream.Stream<CallEvent>
  /**
   * Follow the call to its end without a stream: `onEvent` runs for each event, in order, and
   * the effect ends after `Ended`. The same as `Stream.runForEach(events, onEvent)` — which is
   * how an adapter with nothing cheaper implements it (`placedCall`) — but running a stream costs
   * a few hundred microseconds of CPU, which a worker placing a thousand calls a second cannot
   * spend per call; the simulated carrier follows its calls with two plain sleeps.
   */
  readonly follow: <E, R>(onEvent: (event: CallEvent) => Effect.Effect<void, E, R>) => Effect.Effect<void, E, R>
}

/** A placed call known by its stream of events (`follow` runs over the stream). */
export const placedCall = (provider_call_id: string | null, events: Stream.Stream<CallEvent>): PlacedCall => ({
  provider_call_id,
  events,
  follow: (onEvent) => Stream.runForEach(events, onEvent)
})

/** What recovery knows of a call it did not place: the dead worker's call log. */
export interface CallLookup {
  readonly call_id: CallId
  readonly lead_id: LeadId
  readonly campaign_id: CampaignId
  readonly attempt: number
  /** When the call log was written (just before the dial). */
  readonly dialled_at: Date
}

/** "What became of call X": ended (with the truth), still going (follow it), or never heard of. */
export type CallFate = Data.TaggedEnum<{
  Ended: { readonly outcome: CallOutcome }
  InProgress: { readonly events: Stream.Stream<CallEvent> }
  Unknown: {}
}>
export const CallFate = Data.taggedEnum<CallFate>()

export class Carrier extends Context.Tag("leadq/telephony/Carrier")<Carrier, {
  /** `simulated`, `http`, …: for logs. */
  readonly name: string
  /**
   * How many dials the worker may start in one store transaction before placing them, one by
   * one, in claim order. Every dial of a batch is logged (and so past the point of no return)
   * before the first is placed, so a carrier whose placement takes a network round trip wants
   * small batches (1): a long batch widens the time between a dial's commit and its placement.
   * A carrier that places instantly (the simulated one) takes large ones.
   */
  readonly dial_batch: number
  /**
   * Place the call. Call it only after the call log is written (invariant 3); it never fails —
   * a carrier that cannot be reached yields a `failed` call.
   */
  readonly place: (request: DialRequest) => Effect.Effect<PlacedCall>
  /** For recovery: never places a call, only asks. */
  readonly lookup: (call: CallLookup) => Effect.Effect<CallFate>
}>() {}
