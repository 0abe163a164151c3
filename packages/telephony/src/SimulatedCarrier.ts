import { Clock, Effect, Layer, Option, Stream } from "effect"
import type { CallLookup, DialRequest, PlacedCall } from "./Carrier.js"
import { CallEvent, CallFate, Carrier } from "./Carrier.js"
import type { PlanDefaults, PlannedCall } from "./SimulatedCallPlan.js"
import { courseOf, hangUpByOf, planOf } from "./SimulatedCallPlan.js"
import type { Ledger, LedgerDial } from "./SimLedger.js"
import { fileLedger, memoryLedger } from "./SimLedger.js"

/**
 * The default carrier: no phone rings, but every call has a ringing phase, maybe a connected
 * phase, and an end, in real (or test-controlled) time, decided by the lead's notes
 * (`sim_outcome`, `sim_duration_ms`, `sim_ring_ms`). Every dial and hang-up goes into the ledger.
 *
 * A call is a fact of the simulated network, not of the worker following it: a worker that dies
 * or stalls does not end it. The plan in the dial line says when it ends, so whoever recovers the
 * claim can read the truth from the ledger (when the file is shared).
 */
export interface SimulatedCarrierConfig extends PlanDefaults {
  /** Append-only JSON-lines ledger shared by every process; in memory when absent. */
  readonly ledger?: string | undefined
}

export const DEFAULT_SIM_RING_MS = 1_000
export const DEFAULT_SIM_DURATION_MS = 3_000

/** Zero ring and talk time unless a lead's notes say otherwise: for benchmarks of the loop itself. */
export const INSTANT_SIM: SimulatedCarrierConfig = { ring_ms: 0, duration_ms: 0 }

const sleepUntil = (at: number) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => (at > now ? Effect.sleep(at - now) : Effect.void))

export const makeSimulatedCarrier = (config: SimulatedCarrierConfig, ledger: Ledger) => {
  const iso = (ms: number) => new Date(ms).toISOString()

  /** The hang-up line of a call, written when the call ends (by whoever follows it then). */
  const hangUp = (dial: LedgerDial, planned: PlannedCall) =>
    ledger.append({
      type: "hangup",
      at: iso(planned.ended_at),
      call_id: dial.call_id,
      lead_id: dial.lead_id,
      campaign_id: dial.campaign_id,
      attempt: dial.attempt,
      by: hangUpByOf(dial.plan),
      status: planned.outcome.status,
      end_reason: planned.outcome.end_reason,
      connected_at: planned.connected_at === null ? null : iso(planned.connected_at),
      duration_seconds: planned.outcome.duration_seconds,
      pid: process.pid
    })

  /** Follow a dialled call to its planned end; the hang-up line is written as it ends. */
  const course = (dial: LedgerDial, planned: PlannedCall): Stream.Stream<CallEvent> => {
    const connected = planned.connected_at === null
      ? Stream.empty
      : Stream.fromEffect(Effect.as(sleepUntil(planned.connected_at), CallEvent.Connected({ at: new Date(planned.connected_at) })))
    const ended = Stream.fromEffect(
      Effect.gen(function*() {
        yield* sleepUntil(planned.ended_at)
        yield* hangUp(dial, planned)
        return CallEvent.Ended({ outcome: planned.outcome })
      })
    )
    return Stream.concat(connected, ended)
  }

  /** The same course as `course`, with two plain sleeps instead of a stream (see `PlacedCall.follow`). */
  const follow = (dial: LedgerDial, planned: PlannedCall): PlacedCall["follow"] => (onEvent) =>
    Effect.gen(function*() {
      if (planned.connected_at !== null) {
        yield* sleepUntil(planned.connected_at)
        yield* onEvent(CallEvent.Connected({ at: new Date(planned.connected_at) }))
      }
      yield* sleepUntil(planned.ended_at)
      yield* hangUp(dial, planned)
      yield* onEvent(CallEvent.Ended({ outcome: planned.outcome }))
    })

  // Untraced: placing is on the worker's hot path (a thousand calls a second with an instant
  // carrier), and a traced function captures a stack trace per call.
  const place = Effect.fnUntraced(function*(request: DialRequest) {
    const now = yield* Clock.currentTimeMillis
    const dial: LedgerDial = {
      type: "dial",
      at: iso(now),
      call_id: request.call_id,
      lead_id: request.lead_id,
      campaign_id: request.campaign_id,
      attempt: request.attempt,
      phone_number: request.phone_number,
      from_phone_number: request.from_phone_number,
      agent_id: request.agent_id,
      worker_id: request.worker_id,
      pid: process.pid,
      plan: planOf(request.notes, config)
    }
    yield* ledger.append(dial)
    const planned = courseOf(now, dial.plan)
    return {
      provider_call_id: request.call_id,
      // Built only if someone runs it: the worker follows with `follow`.
      events: Stream.suspend(() => course(dial, planned)),
      follow: follow(dial, planned)
    } satisfies PlacedCall
  })

  const lookup = Effect.fn("leadq/SimulatedCarrier.lookup")(function*(call: CallLookup) {
    const dial = yield* ledger.dialOf(call.call_id)
    if (dial === undefined) return CallFate.Unknown()
    const planned = courseOf(Date.parse(dial.at), dial.plan)
    const now = yield* Clock.currentTimeMillis
    if (now < planned.ended_at) return CallFate.InProgress({ events: course(dial, planned) })
    // Ended while nobody was watching: the recovering process records the hang-up once.
    if (!(yield* ledger.hasHangUp(call.call_id))) yield* hangUp(dial, planned)
    return CallFate.Ended({ outcome: planned.outcome })
  })

  // Placing is a ledger line: a whole claim batch is started in one transaction, then placed.
  return Carrier.of({ name: "simulated", dial_batch: 1000, place, lookup })
}

/** The simulated carrier with its ledger (a shared file when `ledger` is set). */
export const SimulatedCarrierLive = (config: SimulatedCarrierConfig): Layer.Layer<Carrier> =>
  Layer.scoped(
    Carrier,
    Effect.map(
      Option.match(Option.fromNullable(config.ledger), {
        onNone: () => Effect.succeed(memoryLedger()),
        onSome: fileLedger
      }),
      (ledger) => makeSimulatedCarrier(config, ledger)
    )
  )

/** The simulated carrier over a ledger the caller holds (tests read it directly). */
export const SimulatedCarrierWith = (config: PlanDefaults, ledger: Ledger): Layer.Layer<Carrier> =>
  Layer.succeed(Carrier, makeSimulatedCarrier(config, ledger))
