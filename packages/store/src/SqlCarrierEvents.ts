import * as SqlClient from "@effect/sql/SqlClient"
import { CallOutcome, CarrierEvents } from "@leadq/domain"
import { Clock, Effect, Layer, Option, Schema } from "effect"
import { findOne, orDieOnSql } from "./Sql.js"

const OutcomeJson = Schema.parseJson(Schema.Struct({
  status: CallOutcome.fields.status,
  end_reason: CallOutcome.fields.end_reason,
  connected_at: Schema.NullOr(Schema.Number),
  ended_at: Schema.Number,
  duration_seconds: Schema.Number
}))
const encode = Schema.encodeSync(OutcomeJson)

const CarrierEventRow = Schema.Struct({ outcome: OutcomeJson })

export const makeCarrierEvents = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const recordEnded = Effect.fn("leadq/CarrierEvents.recordEnded")(function*(providerCallId: string, outcome: CallOutcome) {
    const now = yield* Clock.currentTimeMillis
    const json = encode({
      status: outcome.status,
      end_reason: outcome.end_reason,
      connected_at: outcome.connected_at?.getTime() ?? null,
      ended_at: outcome.ended_at.getTime(),
      duration_seconds: outcome.duration_seconds
    })
    // Providers retry webhooks: the first answer for a call stands.
    yield* sql`INSERT INTO carrier_events (provider_call_id, outcome, received_at)
      VALUES (${providerCallId}, ${json}, ${now}) ON CONFLICT (provider_call_id) DO NOTHING`
  }, orDieOnSql)

  const endedOf = Effect.fn("leadq/CarrierEvents.endedOf")(function*(providerCallId: string) {
    const row = yield* findOne(CarrierEventRow, sql`SELECT outcome FROM carrier_events WHERE provider_call_id = ${providerCallId}`)
    return Option.map(row, ({ outcome: o }) =>
      new CallOutcome({
        status: o.status,
        end_reason: o.end_reason,
        connected_at: o.connected_at === null ? null : new Date(o.connected_at),
        ended_at: new Date(o.ended_at),
        duration_seconds: o.duration_seconds
      }))
  }, orDieOnSql)

  return CarrierEvents.of({ recordEnded, endedOf })
})

export const CarrierEventsLive: Layer.Layer<CarrierEvents, never, SqlClient.SqlClient> = Layer.effect(CarrierEvents, makeCarrierEvents)
