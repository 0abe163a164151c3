import { expect, layer } from "@effect/vitest"
// The gateway's own test harness: a real gateway listening on a free port over a fresh database.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { TestGateway, testEngines, testGatewayLayer } from "@leadq/gateway/testing"
import type { E164 } from "@leadq/domain"
import { RetryConfig } from "@leadq/domain"
import { Effect, Redacted } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { LeadqClient } from "../src/index.js"

const engines = await testEngines()

interface Forwarded {
  readonly method: string
  readonly path: string
  readonly key: string | undefined
  readonly status: number
  readonly lost: boolean
}

/**
 * A real proxy in front of the gateway that forwards every request with its headers, and loses
 * the answer of the requests `lose` picks: the gateway does the work, then the client's
 * connection is cut before a byte of the answer reaches it.
 */
const lossyProxy = (upstream: string, lose: (method: string, path: string, n: number) => boolean) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly forwarded: Array<Forwarded>; readonly server: http.Server }>((resume) => {
      const forwarded: Array<Forwarded> = []
      const server = http.createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const headers: Record<string, string> = {}
          for (const [name, value] of Object.entries(req.headers)) {
            if (typeof value === "string" && !["host", "connection", "content-length", "transfer-encoding"].includes(name)) headers[name] = value
          }
          const body = Buffer.concat(chunks)
          const method = req.method ?? "GET"
          const path = req.url ?? "/"
          const lost = lose(method, path, forwarded.length)
          void fetch(upstream + path, { method, headers, ...(body.length > 0 ? { body } : {}) }).then(async (answer) => {
            const payload = Buffer.from(await answer.arrayBuffer())
            forwarded.push({ method, path, key: req.headers["idempotency-key"] as string | undefined, status: answer.status, lost })
            if (lost) return void req.socket.destroy()
            res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" })
            res.end(payload)
          })
        })
      })
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, forwarded, server })))
    }),
    ({ server }) => Effect.promise(() => new Promise<void>((done) => server.close(() => done())))
  )

for (const engine of engines) {
  layer(testGatewayLayer(engine), { excludeTestServices: true, timeout: 120_000 })(`a POST whose answer is lost, on ${engine}`, (it) => {
    it.effect("is retried with the same Idempotency-Key: the gateway replays the first answer, and one lead exists", () =>
      Effect.gen(function*() {
        const gw = yield* TestGateway
        let posts = 0
        const proxy = yield* lossyProxy(gw.baseUrl, (method, path) => method === "POST" && path === "/v1/campaigns-leads" && posts++ === 0)
        const client = LeadqClient.layer({ baseUrl: proxy.url, apiKey: Redacted.make(gw.apiKey), retry: { baseDelay: 10 } })
        const lead = yield* Effect.gen(function*() {
          const leadq = yield* LeadqClient
          const campaign = yield* leadq.campaigns.create({
            payload: {
              name: "Lost answers",
              agent_id: "agent_1",
              from_phone_number: "+14155550100" as E164,
              max_concurrent_calls: 1,
              retry_config: new RetryConfig({ max_retries: 0, retry_interval_minutes: 60 }),
              scheduled_at: new Date("2099-01-01T00:00:00.000Z")
            }
          })
          const lead = yield* leadq.leads.create({ payload: { campaignId: campaign.id, phoneNumber: "+14155550177", name: "Ada" } })
          const all = yield* leadq.leads.list({ urlParams: { campaign_id: campaign.id, page: 1, limit: 10 } })
          expect(all.data.map((l) => l.id)).toEqual([lead.id])
          return lead
        }).pipe(Effect.provide(client))
        const adds = proxy.forwarded.filter((f) => f.path === "/v1/campaigns-leads" && f.method === "POST")
        // The first was done by the gateway (201) and its answer lost; the retry, same key, got it replayed.
        expect(adds.map((f) => ({ status: f.status, lost: f.lost }))).toEqual([{ status: 201, lost: true }, { status: 201, lost: false }])
        expect(adds[1]!.key).toBe(adds[0]!.key)
        expect(adds[0]!.key).toBeDefined()
        expect(lead.phone_number).toBe("+14155550177")
      }).pipe(Effect.scoped))
  })
}
