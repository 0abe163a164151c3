import type { EndReason, Notes } from "@leadq/domain"
import { CallOutcome } from "@leadq/domain"
import { Schema } from "effect"

/**
 * How a simulated call goes, decided once from the lead's notes when it is dialled (docs/design.md
 * §7) and written into the ledger's dial line, so any process can later tell how and when
 * that call ended without asking the one that placed it:
 *
 * - it rings for `ring_ms`;
 * - `completed` then connects and lasts `talk_ms` (the callee hangs up);
 * - `no_answer`, `busy` and `failed` end when the ringing ends, never connected.
 */
export const SimOutcome = Schema.Literal("completed", "no_answer", "busy", "failed")
export type SimOutcome = typeof SimOutcome.Type

export const CallPlan = Schema.Struct({
  outcome: SimOutcome,
  ring_ms: Schema.NonNegativeInt,
  talk_ms: Schema.NonNegativeInt
})
export type CallPlan = typeof CallPlan.Type

export interface PlanDefaults {
  /** How long a call rings before it is answered or given up. */
  readonly ring_ms: number
  /** How long a `completed` call lasts once connected, unless the lead says `sim_duration_ms`. */
  readonly duration_ms: number
}

/** The notes keys the simulated carrier reads. */
export const SIM_OUTCOME_NOTE = "sim_outcome"
export const SIM_DURATION_NOTE = "sim_duration_ms"
export const SIM_RING_NOTE = "sim_ring_ms"

const isSimOutcome = Schema.is(SimOutcome)

/** A non-negative whole number of ms from a note: CSV uploads hand numbers over as text. */
const msNote = (value: unknown): number | undefined => {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN
  return Number.isFinite(n) && n >= 0 ? Math.round(n) : undefined
}

/** Unknown or malformed note values fall back to the defaults: a demo lead never breaks a call. */
export const planOf = (notes: Notes, defaults: PlanDefaults): CallPlan => {
  const raw = notes[SIM_OUTCOME_NOTE]
  const outcome: SimOutcome = typeof raw === "string" && isSimOutcome(raw.trim()) ? (raw.trim() as SimOutcome) : "completed"
  const ring_ms = msNote(notes[SIM_RING_NOTE]) ?? defaults.ring_ms
  const talk_ms = outcome === "completed" ? msNote(notes[SIM_DURATION_NOTE]) ?? defaults.duration_ms : 0
  return { outcome, ring_ms, talk_ms }
}

/** Who ends each kind of call: the callee hangs up a conversation; the network gives up the rest. */
export const HangUpBy = Schema.Literal("callee", "simulation", "leadq")
export type HangUpBy = typeof HangUpBy.Type

const endReasonOf: Record<SimOutcome, EndReason> = {
  completed: "user_disconnected",
  no_answer: "user_did_not_pick_up",
  busy: "user_busy",
  failed: "user_unreachable"
}

export const hangUpByOf = (plan: CallPlan): HangUpBy => (plan.outcome === "completed" ? "callee" : "simulation")

export interface PlannedCall {
  readonly connected_at: number | null
  readonly ended_at: number
  readonly outcome: CallOutcome
}

/** The call's whole course, from the moment it was dialled and its plan. */
export const courseOf = (dialledAt: number, plan: CallPlan): PlannedCall => {
  const answered = plan.outcome === "completed"
  const connected_at = answered ? dialledAt + plan.ring_ms : null
  const ended_at = dialledAt + plan.ring_ms + plan.talk_ms
  return {
    connected_at,
    ended_at,
    // Built from a decoded plan: no second validation (`true`), once per simulated call.
    outcome: new CallOutcome({
      status: plan.outcome,
      end_reason: endReasonOf[plan.outcome],
      connected_at: connected_at === null ? null : new Date(connected_at),
      ended_at: new Date(ended_at),
      duration_seconds: plan.talk_ms / 1000
    }, true)
  }
}
