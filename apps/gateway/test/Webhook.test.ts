import { describe, expect, layer } from "@effect/vitest"
import { signLeadq } from "@leadq/domain"
import { signBody } from "@leadq/telephony"
import { Effect, Option, Redacted } from "effect"
import { CarrierEvents, TestGateway, testEngines, testGatewayLayer } from "../src/testing/index.js"
import { call, expectFailure, snapshot } from "./support.js"

const engines = await testEngines()
const SECRET = "whsec_test_0123456789abcdef"
const PATH = "/v1/carrier/webhooks/call-ended"

let seq = 0
const event = (overrides: Record<string, unknown> = {}) => ({
  event: "call_ended",
  call: {
    id: `prov-${process.pid}-${seq++}`,
    status: "completed",
    end_reason: "user_disconnected",
    duration_seconds: 31,
    started_at: "2026-06-01T12:00:00.000Z",
    ended_at: "2026-06-01T12:00:31.000Z",
    ...overrides
  }
})

const deliver = (raw: string, signature: string | undefined, headers: Record<string, string> = {}) =>
  Effect.flatMap(TestGateway, (gw) =>
    call(gw, "POST", PATH, {
      key: null,
      body: raw,
      headers: { "content-type": "application/json", ...(signature !== undefined ? { "x-signature": signature } : {}), ...headers }
    }))

const recorded = (providerCallId: string) => Effect.flatMap(CarrierEvents, (events) => events.endedOf(providerCallId))

for (const engine of engines) {
  layer(testGatewayLayer(engine, { settings: { carrier_webhook_secret: Option.some(Redacted.make(SECRET)) } }), {
    excludeTestServices: true,
    timeout: 120_000
  })(`carrier webhook on ${engine}`, (it) => {
    describe("POST /v1/carrier/webhooks/call-ended", () => {
      it.effect("a correctly signed call_ended is recorded (no API key needed); a redelivery keeps the first answer", () =>
        Effect.gen(function*() {
          const body = event()
          const raw = JSON.stringify(body)
          const reply = yield* deliver(raw, signBody(SECRET, raw))
          expect(reply.status).toBe(204)
          expect(reply.text).toBe("")
          const outcome = Option.getOrThrow(yield* recorded(body.call.id))
          expect(outcome).toMatchObject({ status: "completed", end_reason: "user_disconnected", duration_seconds: 31 })
          expect(outcome.ended_at.toISOString()).toBe("2026-06-01T12:00:31.000Z")
          const again = JSON.stringify({ ...body, call: { ...body.call, status: "failed" } })
          expect((yield* deliver(again, signBody(SECRET, again))).status).toBe(204)
          expect(Option.getOrThrow(yield* recorded(body.call.id)).status).toBe("completed")
        }))

      it.effect("the leadq scheme (leadq-signature: t=…,v1=…) is accepted too; another secret or a stale t is a 401", () =>
        Effect.gen(function*() {
          const body = event()
          const raw = JSON.stringify(body)
          const forged = event()
          const forgedRaw = JSON.stringify(forged)
          expectFailure(yield* deliver(forgedRaw, undefined, { "leadq-signature": signLeadq("not-the-secret", forgedRaw, Date.now()) }), 401, "Unauthorized")
          expectFailure(yield* deliver(forgedRaw, undefined, { "leadq-signature": signLeadq(SECRET, forgedRaw, Date.now() - 10 * 60_000) }), 401, "Unauthorized")
          expect(yield* recorded(forged.call.id)).toEqual(Option.none())
          expect((yield* deliver(raw, undefined, { "leadq-signature": signLeadq(SECRET, raw, Date.now()) })).status).toBe(204)
          expect(Option.getOrThrow(yield* recorded(body.call.id))).toMatchObject({ status: "completed", duration_seconds: 31 })
        }))

      it.effect("a forged, missing or misplaced signature is a 401 and nothing is recorded", () =>
        Effect.gen(function*() {
          const body = event()
          const raw = JSON.stringify(body)
          const before = yield* snapshot
          expectFailure(yield* deliver(raw, undefined), 401, "Unauthorized")
          expectFailure(yield* deliver(raw, signBody("not-the-secret", raw)), 401, "Unauthorized")
          expectFailure(yield* deliver(raw, "sha256=" + "0".repeat(64)), 401, "Unauthorized")
          expectFailure(yield* deliver(raw, signBody(SECRET, raw).toUpperCase()), 401, "Unauthorized")
          // Signed over other bytes (the same JSON, spaced differently): the signature covers the raw body.
          expectFailure(yield* deliver(JSON.stringify(body, null, 2), signBody(SECRET, raw)), 401, "Unauthorized")
          // An API key is no substitute.
          const gw = yield* TestGateway
          expectFailure(yield* deliver(raw, undefined, { authorization: `Bearer ${gw.apiKey}` }), 401, "Unauthorized")
          expect(yield* recorded(body.call.id)).toEqual(Option.none())
          expect(yield* snapshot).toEqual(before)
        }))

      it.effect("signed but not a call_ended event: 400, nothing recorded; not JSON: 415/400", () =>
        Effect.gen(function*() {
          const before = yield* snapshot
          for (const body of [{ event: "call_started", call: event().call }, event({ status: "ringing" }), event({ duration_seconds: -1 }), []]) {
            const raw = JSON.stringify(body)
            expectFailure(yield* deliver(raw, signBody(SECRET, raw)), 400, "InvalidInput")
          }
          const raw = "{\"event\":"
          expectFailure(yield* deliver(raw, signBody(SECRET, raw)), 400, "InvalidInput")
          expectFailure(yield* deliver("event=call_ended", signBody(SECRET, "event=call_ended"), { "content-type": "application/x-www-form-urlencoded" }), 415, "UnsupportedMediaType")
          expect(yield* snapshot).toEqual(before)
        }))
    })
  })

  layer(testGatewayLayer(engine), { excludeTestServices: true, timeout: 120_000 })(`carrier webhook without a secret on ${engine}`, (it) => {
    it.effect("the route does not exist: 404, nothing recorded", () =>
      Effect.gen(function*() {
        const raw = JSON.stringify(event())
        const before = yield* snapshot
        expectFailure(yield* deliver(raw, signBody(SECRET, raw)), 404, "RouteNotFound")
        expect(yield* snapshot).toEqual(before)
      }))
  })
}
