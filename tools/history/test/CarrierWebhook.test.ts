import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { CarrierEvents } from "@leadq/domain"
import { startTestGateway, testEngines } from "@leadq/gateway/testing"
import { HttpCarrierLive, SIGNATURE_HEADER } from "@leadq/telephony"
import { sign, startFakeProvider, WEBHOOK_SECRET } from "@leadq/telephony/testing"
import { WorkerConfigWith, WorkerRunner, workerSettings } from "@leadq/worker"
import { Context, Effect, Layer, Logger, LogLevel, Option, Redacted } from "effect"
import { makeLeadqHttp, startWorkerProcess } from "../src/index.js"

/**
 * The HTTP carrier end to end: a worker places the call on a fake voice platform, and the
 * platform's signed `call_ended` webhook reaches the real gateway, which verifies it and records
 * it; the worker, waiting for that record, finishes the call. On PostgreSQL the worker is its own
 * process (`LEADQ_CARRIER=http`); on SQLite it runs inside the gateway's process.
 */
const engines = await testEngines()

const eventually = <A>(check: Effect.Effect<A, unknown>, timeoutMs = 20_000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    while (true) {
      const exit = yield* Effect.exit(check)
      if (exit._tag === "Success") return exit.value
      if (Date.now() > deadline) return yield* exit
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 50)))
    }
  })

for (const engine of engines) {
  describe(`the signed call_ended webhook through the gateway, on ${engine}`, () => {
    it.live("forged, unsigned and tampered webhooks are refused and change nothing; the signed one ends the call", () =>
      Effect.scoped(Effect.gen(function*() {
        const provider = yield* startFakeProvider
        const gw = yield* startTestGateway(engine, { settings: { carrier_webhook_secret: Option.some(Redacted.make(WEBHOOK_SECRET)) } })
        const api = makeLeadqHttp(gw.baseUrl, gw.apiKey)
        const campaign = (yield* api.request("POST", "/v1/campaigns", {
          name: "webhooks",
          agent_id: "agent_w",
          from_phone_number: "+14155550100",
          max_concurrent_calls: 1
        })).body as { id: string }
        const lead = (yield* api.request("POST", "/v1/campaigns-leads", {
          campaignId: campaign.id,
          phoneNumber: "+14155550177",
          notes: { tier: "gold" }
        })).body as { id: string }

        const carrierEnv = {
          LEADQ_CARRIER_URL: provider.url,
          LEADQ_CARRIER_API_KEY: provider.apiKey,
          LEADQ_CARRIER_POLL_MS: "100",
          LEADQ_CARRIER_STATUS_POLL_MS: "600000"
        }
        if (engine === "pg") {
          const worker = startWorkerProcess("webhook-worker", {
            DATABASE_URL: gw.databaseUrl,
            LEADQ_CARRIER: "http",
            LEADQ_POLL_INTERVAL_MS: "100",
            ...carrierEnv
          })
          yield* Effect.addFinalizer(() =>
            Effect.promise(async () => {
              if (worker.alive()) worker.child.kill("SIGKILL")
              await worker.exited
            })
          )
        } else {
          const carrier = HttpCarrierLive({
            url: provider.url,
            api_key: Redacted.make(provider.apiKey),
            timeout_ms: 2_000,
            dial_retries: 1,
            retry_base_ms: 50,
            poll_ms: 100,
            status_poll_ms: 600_000,
            max_call_ms: 600_000
          }).pipe(Layer.provide(FetchHttpClient.layer), Layer.provide(Layer.succeed(CarrierEvents, Context.get(gw.context, CarrierEvents))))
          yield* Layer.build(
            WorkerRunner.pipe(
              Layer.provide(carrier),
              Layer.provide(WorkerConfigWith(workerSettings({ poll_interval_ms: 100 }))),
              Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
            )
          ).pipe(Effect.provide(gw.context))
        }

        const request = yield* eventually(Effect.sync(() => {
          const first = provider.dialRequests[0]
          if (first === undefined) throw new Error("no dial yet")
          return first
        }))
        expect(request.body.dynamic_variables).toEqual({ tier: "gold" })
        const callId = request.body.external_id
        const logs = () => Effect.map(api.request("GET", `/v1/call-logs?campaign_id=${campaign.id}`), (a) => (a.body as { data: Array<Record<string, unknown>> }).data)
        const [initiated] = yield* logs()
        expect(initiated).toMatchObject({ call_id: callId, status: "initiated", lead_id: lead.id })

        provider.answer(callId, new Date(Date.now() - 42_000))
        const end = { status: "completed" as const, end_reason: "user_disconnected", duration_seconds: 42, ended_at: new Date() }
        const body = provider.webhookBody(callId, end)
        const post = (raw: string, signature?: string) =>
          Effect.map(
            Effect.promise(() =>
              fetch(`${gw.baseUrl}/v1/carrier/webhooks/call-ended`, {
                method: "POST",
                headers: { "content-type": "application/json", ...(signature === undefined ? {} : { [SIGNATURE_HEADER]: signature }) },
                body: raw
              }).then(async (r) => ({ status: r.status, text: await r.text() }))
            ),
            (r) => r
          )
        const unsigned = yield* post(body)
        expect(unsigned.status).toBe(401)
        expect(JSON.parse(unsigned.text)).toMatchObject({ statusCode: 401, error: "Unauthorized" })
        expect((yield* post(body, sign(body, "whsec_forged"))).status).toBe(401)
        expect((yield* post(body.replace('"duration_seconds":42', '"duration_seconds":4200'), sign(body))).status).toBe(401)
        const notAnEvent = JSON.stringify({ event: "call_started", call: { id: "x" } })
        expect((yield* post(notAnEvent, sign(notAnEvent))).status).toBe(400)

        // Nothing changed: no event recorded, the call is still going as far as leadq knows.
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 400)))
        const providerCallId = provider.callOf(callId)!.id
        const recorded = yield* Effect.flatMap(CarrierEvents, (e) => e.endedOf(providerCallId)).pipe(Effect.provide(gw.context))
        expect(Option.isNone(recorded)).toBe(true)
        expect((yield* logs())[0]).toMatchObject({ status: "initiated" })
        expect(((yield* api.request("GET", `/v1/campaigns-leads/${lead.id}`)).body as { status: string }).status).toBe("in_progress")

        // The platform's own, signed webhook.
        const real = provider.end(callId, end)
        expect((yield* post(real, sign(real))).status).toBe(204)
        yield* eventually(Effect.map(api.request("GET", `/v1/campaigns-leads/${lead.id}`), (a) => {
          expect((a.body as { status: string }).status).toBe("completed")
        }))
        const [done] = yield* logs()
        expect(done).toMatchObject({ status: "completed", end_reason: "user_disconnected", duration_seconds: 42, ended_at: end.ended_at.toISOString() })
        // A provider retrying its webhook changes nothing.
        expect((yield* post(real, sign(real))).status).toBe(204)
        expect((yield* logs())[0]).toEqual(done)
        expect(provider.dialRequests).toHaveLength(1)
      })), 60_000)
  })
}
