import { describe, expect, it } from "@effect/vitest"
import { freshDatabaseUrl, testEngines } from "@leadq/store/testing"
import { Effect } from "effect"
import type { GatewayProcess } from "./GatewayProcess.js"
import { buildGateway, demoKeyOf, startGateway, stopGateway } from "./GatewayProcess.js"

/**
 * Two gateway processes on one PostgreSQL database share their `Idempotency-Key`s: the answer one
 * gave is the answer the other replays, and requests with one key spread over both run once.
 */
const engines = await testEngines()

interface Answer {
  readonly status: number
  readonly type: string | null
  readonly replayed: string | null
  readonly text: string
}

const post = (gw: GatewayProcess, apiKey: string, path: string, body: string, idempotencyKey?: string) =>
  Effect.promise(async (): Promise<Answer> => {
    const res = await fetch(gw.baseUrl + path, {
      method: "POST",
      headers: {
        authorization: `Bearer ${apiKey}`,
        "content-type": "application/json",
        ...(idempotencyKey === undefined ? {} : { "idempotency-key": idempotencyKey })
      },
      body
    })
    return { status: res.status, type: res.headers.get("content-type"), replayed: res.headers.get("idempotent-replayed"), text: await res.text() }
  })

const leadsOf = (gw: GatewayProcess, apiKey: string, campaignId: string) =>
  Effect.promise(async () => {
    const res = await fetch(`${gw.baseUrl}/v1/campaigns-leads?campaign_id=${campaignId}&limit=100`, { headers: { authorization: `Bearer ${apiKey}` } })
    return ((await res.json()) as { data: Array<unknown> }).data.length
  })

describe("Idempotency-Key across gateways", () => {
  if (engines.includes("pg")) {
    buildGateway()

    it.live("pg: the second gateway replays the first one's answer; one key spread over both runs once", () =>
      Effect.gen(function*() {
        const databaseUrl = yield* freshDatabaseUrl("pg")
        const a = yield* Effect.acquireRelease(startGateway({ DATABASE_URL: databaseUrl }), stopGateway)
        const apiKey = demoKeyOf(a)!
        expect(apiKey).toBeDefined()
        const b = yield* Effect.acquireRelease(startGateway({ DATABASE_URL: databaseUrl }), stopGateway)
        const campaign = yield* post(a, apiKey, "/v1/campaigns", JSON.stringify({
          name: "Across",
          agent_id: "agent_1",
          from_phone_number: "+14155550100",
          scheduled_at: "2099-01-01T00:00:00.000Z"
        }))
        expect(campaign.status).toBe(201)
        const campaignId = (JSON.parse(campaign.text) as { id: string }).id

        const body = JSON.stringify({ campaignId, phoneNumber: "+14155550161", name: "Ada" })
        const first = yield* post(a, apiKey, "/v1/campaigns-leads", body, "across-1")
        expect(first).toMatchObject({ status: 201, replayed: null })
        const onB = yield* post(b, apiKey, "/v1/campaigns-leads", body, "across-1")
        expect(onB).toEqual({ ...first, replayed: "true" })
        expect(yield* post(b, apiKey, "/v1/campaigns-leads", body.replace("Ada", "Bob"), "across-1")).toMatchObject({ status: 422 })

        const spread = JSON.stringify({ campaignId, phoneNumber: "+14155550162" })
        const answers = yield* Effect.all(
          Array.from({ length: 10 }, (_, i) => post(i % 2 === 0 ? a : b, apiKey, "/v1/campaigns-leads", spread, "across-2")),
          { concurrency: "unbounded" }
        )
        expect(answers.every((r) => r.status === 201 || r.status === 409)).toBe(true)
        const created = answers.filter((r) => r.status === 201)
        expect(created.filter((r) => r.replayed === null)).toHaveLength(1)
        expect(new Set(created.map((r) => r.text)).size).toBe(1)
        expect(yield* leadsOf(b, apiKey, campaignId)).toBe(2)
      }).pipe(Effect.scoped), 120_000)
  } else {
    it("needs PostgreSQL (LEADQ_TEST_PG_URL); the SQLite engine is one process", () => {
      expect(engines).not.toContain("pg")
    })
  }
})
