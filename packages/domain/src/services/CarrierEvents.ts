import type { Effect, Option } from "effect"
import { Context } from "effect"
import type { CallOutcome } from "../CallLog.js"

/**
 * Where a carrier that reports call ends by webhook (the HTTP carrier) leaves them: the gateway
 * records a verified `call_ended` event here, and the worker waiting for that call reads it.
 * Recording the same call twice keeps the first answer (webhooks are retried by providers).
 */
export class CarrierEvents extends Context.Tag("leadq/CarrierEvents")<CarrierEvents, {
  readonly recordEnded: (providerCallId: string, outcome: CallOutcome) => Effect.Effect<void>
  readonly endedOf: (providerCallId: string) => Effect.Effect<Option.Option<CallOutcome>>
}>() {}
