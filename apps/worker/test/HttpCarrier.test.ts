import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import type { Claim } from "@leadq/domain"
import { CarrierEvents, LeadQueue } from "@leadq/domain"
import { testEngines } from "@leadq/store/testing"
import type { HttpCarrierConfig } from "@leadq/telephony"
import { Carrier, HttpCarrierLive } from "@leadq/telephony"
import type { Scope } from "effect"
import { Effect, Layer, Option, Redacted } from "effect"
import type { FakeProvider } from "@leadq/telephony/testing"
import { sign, startFakeProvider, WEBHOOK_SECRET } from "@leadq/telephony/testing"
import type { StoreServices } from "./fixtures.js"
import { campaignOf, eventually, leadOf, liveSleep, logsOf, seed, startWorker, storeLayer } from "./fixtures.js"
import { startWebhookReceiver } from "./WebhookReceiver.js"

const engines = await testEngines()

/** The HTTP carrier against the fake platform, with the store's recorded webhook events. */
const httpCarrier = (provider: FakeProvider, overrides: Partial<HttpCarrierConfig> = {}) =>
  Effect.map(CarrierEvents, (events) =>
    HttpCarrierLive({
      url: provider.url,
      api_key: Redacted.make(provider.apiKey),
      timeout_ms: 2_000,
      dial_retries: 2,
      retry_base_ms: 20,
      poll_ms: 50,
      status_poll_ms: 60_000,
      max_call_ms: 60_000,
      ...overrides
    }).pipe(Layer.provide(FetchHttpClient.layer), Layer.provide(Layer.succeed(CarrierEvents, events))))

const firstDial = (provider: FakeProvider) =>
  eventually(Effect.sync(() => {
    const first = provider.dialRequests[0]
    if (first === undefined) throw new Error("no dial request yet")
    return first
  }))

for (const engine of engines) {
  describe(`worker with the HTTP carrier on ${engine} (fake voice platform)`, () => {
    const run = <A, E>(body: Effect.Effect<A, E, StoreServices | Scope.Scope>) =>
      Effect.scoped(body).pipe(Effect.provide(storeLayer(engine)))

    it.live("places the call as the contract says; forged or missing webhook signatures change nothing; the signed one finishes the call", () =>
      run(Effect.gen(function*() {
        const provider = yield* startFakeProvider
        const webhook = yield* startWebhookReceiver(WEBHOOK_SECRET)
        const { campaign, leads: [lead], org } = yield* seed([{ plan: "gold", renewal_month: 7 }])
        yield* startWorker(yield* httpCarrier(provider))

        const request = yield* firstDial(provider)
        const [log] = yield* eventually(Effect.map(logsOf(org, campaign), (logs) => {
          expect(logs).toHaveLength(1)
          return logs
        }))
        expect(request).toEqual({
          auth: `Bearer ${provider.apiKey}`,
          idempotencyKey: log!.call_id,
          body: {
            to_number: lead!.phone_number,
            from_number: campaign.from_phone_number,
            agent_id: campaign.agent_id,
            external_id: log!.call_id,
            dynamic_variables: { plan: "gold", renewal_month: 7 },
            metadata: { lead_id: lead!.id, campaign_id: campaign.id, attempt: 1 }
          }
        })
        const answeredAt = new Date(Date.now())
        provider.answer(log!.call_id, answeredAt)
        const providerCallId = provider.callOf(log!.call_id)!.id
        const end = { status: "completed" as const, end_reason: "user_disconnected", duration_seconds: 42, ended_at: new Date(answeredAt.getTime() + 42_000) }

        // Forgeries: no signature, a signature under another secret, a body changed after signing.
        const body = provider.webhookBody(log!.call_id, end)
        expect(yield* webhook.post(body)).toBe(401)
        expect(yield* webhook.post(body, sign(body, "not-the-secret"))).toBe(401)
        const tampered = body.replace('"duration_seconds":42', '"duration_seconds":1')
        expect(yield* webhook.post(tampered, sign(body))).toBe(401)
        yield* liveSleep(300)
        expect(Option.isNone(yield* Effect.flatMap(CarrierEvents, (e) => e.endedOf(providerCallId)))).toBe(true)
        expect((yield* logsOf(org, campaign))[0]!.status).toBe("initiated")
        expect((yield* leadOf(org, lead!)).status).toBe("in_progress")

        // The platform's real webhook.
        const real = provider.end(log!.call_id, end)
        expect(yield* webhook.post(real, sign(real))).toBe(200)
        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")))
        const [done] = yield* logsOf(org, campaign)
        expect(done).toMatchObject({ status: "completed", end_reason: "user_disconnected", duration_seconds: 42 })
        expect(done!.started_at).toEqual(answeredAt)
        expect(done!.ended_at).toEqual(end.ended_at)
        expect(provider.dialRequests).toHaveLength(1)
      })))

    it.live("asking the platform: the callee answering shows as in_progress, and a webhook that never comes is made up for", () =>
      run(Effect.gen(function*() {
        const provider = yield* startFakeProvider
        const { campaign, org } = yield* seed([{}])
        yield* startWorker(yield* httpCarrier(provider, { status_poll_ms: 150 }))
        const { body } = yield* firstDial(provider)
        const answeredAt = new Date(Date.now())
        provider.answer(body.external_id, answeredAt)
        yield* eventually(Effect.map(logsOf(org, campaign), ([log]) => {
          expect(log!.status).toBe("in_progress")
          expect(log!.started_at).toEqual(answeredAt)
        }))
        provider.end(body.external_id, { status: "no_answer", end_reason: "user_did_not_pick_up", duration_seconds: 0, ended_at: new Date() })
        yield* eventually(Effect.map(logsOf(org, campaign), ([log]) => expect(log!.status).toBe("no_answer")))
      })))

    it.live("a platform answering 5xx: bounded retries under one external id, then failed with network_failure; the lead is not stuck", () =>
      run(Effect.gen(function*() {
        const provider = yield* startFakeProvider
        provider.misbehave = "fail_5xx"
        const { campaign, leads: [lead], org } = yield* seed([{}])
        yield* startWorker(yield* httpCarrier(provider, { dial_retries: 2 }))
        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")))
        const [log] = yield* logsOf(org, campaign)
        expect(log).toMatchObject({ status: "failed", end_reason: "network_failure", attempt: 1 })
        // 1 + dial_retries tries, all the same call (so the platform could not place it twice),
        // then one question whether the call went out after all.
        expect(provider.dialRequests.map((r) => [r.body.external_id, r.idempotencyKey])).toEqual(
          Array.from({ length: 3 }, () => [log!.call_id, log!.call_id])
        )
        expect(provider.lookups).toEqual([log!.call_id])
        expect((yield* leadOf(org, lead!))).toMatchObject({ status: "failed", attempts: 1 })
        expect(yield* Effect.flatMap(LeadQueue, (q) => q.expiredClaims(10))).toEqual([])
      })))

    it.live("a platform that never answers: each try times out, then failed with network_failure", () =>
      run(Effect.gen(function*() {
        const provider = yield* startFakeProvider
        provider.misbehave = "hang"
        const { campaign, org } = yield* seed([{}])
        yield* startWorker(yield* httpCarrier(provider, { dial_retries: 1, timeout_ms: 300 }))
        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")))
        expect((yield* logsOf(org, campaign))[0]).toMatchObject({ status: "failed", end_reason: "network_failure" })
        expect(provider.dialRequests).toHaveLength(2)
      })))

    it.live("transient 5xx, then success: the retried dial is one call at the platform", () =>
      run(Effect.gen(function*() {
        const provider = yield* startFakeProvider
        const webhook = yield* startWebhookReceiver(WEBHOOK_SECRET)
        provider.failNext = 2
        const { campaign, org } = yield* seed([{}])
        yield* startWorker(yield* httpCarrier(provider, { dial_retries: 3 }))
        yield* eventually(Effect.sync(() => expect(provider.calls.size).toBe(1)))
        expect(provider.dialRequests).toHaveLength(3)
        const externalId = provider.dialRequests[0]!.body.external_id
        const body = provider.end(externalId, { status: "busy", end_reason: "user_busy", duration_seconds: 0, ended_at: new Date() })
        expect(yield* webhook.post(body, sign(body))).toBe(200)
        yield* eventually(Effect.map(logsOf(org, campaign), ([log]) => expect(log).toMatchObject({ status: "busy", end_reason: "user_busy" })))
        expect(provider.calls.size).toBe(1)
      })))

    it.live("a call that never reports an end is given up after max_call_ms (failed, network_failure)", () =>
      run(Effect.gen(function*() {
        const provider = yield* startFakeProvider
        const { campaign, org } = yield* seed([{}])
        yield* startWorker(yield* httpCarrier(provider, { status_poll_ms: 200, max_call_ms: 1_500 }))
        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")))
        expect((yield* logsOf(org, campaign))[0]).toMatchObject({ status: "failed", end_reason: "network_failure" })
        expect(provider.dialRequests).toHaveLength(1)
      })))

    it.live("recovery asks the platform by our call id: a call still going is followed to its end; one it never got is worker_lost", () =>
      run(Effect.gen(function*() {
        const provider = yield* startFakeProvider
        const webhook = yield* startWebhookReceiver(WEBHOOK_SECRET)
        const carrierLayer = yield* httpCarrier(provider)
        const { campaign, leads: [placed, lost], org } = yield* seed([{}, {}])
        const queue = yield* LeadQueue
        const claims = yield* queue.claimDue({ worker_id: "dead", limit: 2, lease_ms: 400 })
        const claimOf = (id: string) => claims.find((c: Claim) => c.lead_id === id)!
        const dialPlaced = yield* queue.startDial(claimOf(placed!.id), 400)
        const dialLost = yield* queue.startDial(claimOf(lost!.id), 400)
        yield* Effect.flatMap(Carrier, (c) => c.place({ ...dialPlaced, worker_id: "dead" })).pipe(Effect.provide(carrierLayer))

        yield* startWorker(carrierLayer, { worker_id: "rescuer" })
        yield* eventually(Effect.map(logsOf(org, campaign), (logs) =>
          expect(logs.find((l) => l.call_id === dialLost.call_id)).toMatchObject({ status: "failed", end_reason: "worker_lost" })))
        expect(provider.lookups).toContain(dialPlaced.call_id)
        const body = provider.end(dialPlaced.call_id, { status: "completed", end_reason: "agent_disconnected", duration_seconds: 7, ended_at: new Date() })
        expect(yield* webhook.post(body, sign(body))).toBe(200)
        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")))
        const logs = yield* logsOf(org, campaign)
        expect(logs.find((l) => l.call_id === dialPlaced.call_id)).toMatchObject({ status: "completed", end_reason: "agent_disconnected", duration_seconds: 7 })
        // Never dialled again: one dial request per call, both from the dead worker's time.
        expect(provider.dialRequests.map((r) => r.body.external_id)).toEqual([dialPlaced.call_id])
      })))
  })
}
