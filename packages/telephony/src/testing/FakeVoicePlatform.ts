import { signBody } from "../CallEndedWebhook.js"
import type { CreateCallBody, ProviderCall } from "../ProviderCalls.js"
import { Effect } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

/**
 * A small DialNexa-style voice platform for the HTTP carrier's tests (the carrier boundary is the
 * one place tests stand something in): a real `node:http` server
 * that keeps calls in memory, dedupes dial requests by `external_id`, and misbehaves on demand
 * (5xx, no answer at all). Its calls never end by themselves: the test ends them and sends the
 * signed `call_ended` webhook, standing in for the platform.
 */
export type Misbehaviour = "none" | "fail_5xx" | "hang"

export interface FakeProvider {
  readonly url: string
  readonly apiKey: string
  /** Every dial request received, in order (including refused ones). */
  readonly dialRequests: Array<{ readonly body: CreateCallBody; readonly idempotencyKey: string | undefined; readonly auth: string | undefined }>
  readonly lookups: Array<string>
  readonly calls: Map<string, { call: ProviderCall; body: CreateCallBody }>
  /** How the next dial requests are answered; `failNext` 5xx's that many first. */
  misbehave: Misbehaviour
  failNext: number
  readonly callOf: (externalId: string) => ProviderCall | undefined
  /** The callee answers (the platform's record says `in_progress`). */
  readonly answer: (externalId: string, at: Date) => void
  /** The call ends in the platform's record; returns the webhook body the platform would send. */
  readonly end: (externalId: string, end: { status: ProviderCall["status"]; end_reason: string; duration_seconds: number; ended_at: Date }) => string
  /** The webhook body for a call without touching the platform's record (forgery tests). */
  readonly webhookBody: (externalId: string, end: { status: string; end_reason: string; duration_seconds: number; ended_at: Date }) => string
}

export const WEBHOOK_SECRET = "whsec_test_secret"

export const startFakeProvider = Effect.acquireRelease(
  Effect.async<{ server: http.Server; provider: FakeProvider }>((resume) => {
    let seq = 0
    const hanging = new Set<http.ServerResponse>()
    const provider: FakeProvider = {
      url: "",
      apiKey: "dn_test_key",
      dialRequests: [],
      lookups: [],
      calls: new Map(),
      misbehave: "none",
      failNext: 0,
      callOf: (externalId) => [...provider.calls.values()].find((c) => c.call.external_id === externalId)?.call,
      answer: (externalId, at) => {
        const entry = [...provider.calls.values()].find((c) => c.call.external_id === externalId)!
        entry.call = { ...entry.call, status: "in_progress", started_at: at }
      },
      end: (externalId, end) => {
        const entry = [...provider.calls.values()].find((c) => c.call.external_id === externalId)!
        entry.call = {
          ...entry.call,
          status: end.status,
          end_reason: end.end_reason as ProviderCall["end_reason"],
          duration_seconds: end.duration_seconds,
          ended_at: end.ended_at
        }
        return provider.webhookBody(externalId, end)
      },
      webhookBody: (externalId, end) => {
        const entry = [...provider.calls.values()].find((c) => c.call.external_id === externalId)!
        const payload = {
          event: "call_ended",
          call: {
            id: entry.call.id,
            status: end.status,
            end_reason: end.end_reason,
            duration_seconds: end.duration_seconds,
            started_at: entry.call.started_at?.toISOString() ?? null,
            ended_at: end.ended_at.toISOString()
          }
        }
        return JSON.stringify(payload)
      }
    }
    const encodeCall = (call: ProviderCall) => ({
      ...call,
      started_at: call.started_at?.toISOString() ?? null,
      ended_at: call.ended_at?.toISOString() ?? null
    })
    const send = (res: http.ServerResponse, status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" })
      res.end(JSON.stringify(body))
    }
    const server = http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://fake")
        if (req.headers.authorization !== `Bearer ${provider.apiKey}`) return send(res, 401, { message: "bad key" })
        if (req.method === "POST" && url.pathname === "/v1/calls") {
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as CreateCallBody
          const idempotency = req.headers["idempotency-key"]
          provider.dialRequests.push({
            body,
            idempotencyKey: typeof idempotency === "string" ? idempotency : undefined,
            auth: req.headers.authorization
          })
          if (provider.misbehave === "hang") {
            hanging.add(res)
            return
          }
          if (provider.misbehave === "fail_5xx" || provider.failNext > 0) {
            provider.failNext = Math.max(0, provider.failNext - 1)
            return send(res, 503, { message: "overloaded" })
          }
          const existing = provider.callOf(body.external_id)
          if (existing !== undefined) return send(res, 200, encodeCall(existing))
          const call: ProviderCall = {
            id: `pc_${++seq}`,
            external_id: body.external_id,
            status: "ringing",
            end_reason: null,
            duration_seconds: null,
            started_at: null,
            ended_at: null
          }
          provider.calls.set(call.id, { call, body })
          return send(res, 201, encodeCall(call))
        }
        if (req.method === "GET" && url.pathname === "/v1/calls") {
          const external = url.searchParams.get("external_id") ?? ""
          provider.lookups.push(external)
          const call = provider.callOf(external)
          return send(res, 200, { data: call === undefined ? [] : [encodeCall(call)] })
        }
        const one = url.pathname.match(/^\/v1\/calls\/([^/]+)$/)
        if (req.method === "GET" && one) {
          const entry = provider.calls.get(decodeURIComponent(one[1]!))
          return entry === undefined ? send(res, 404, { message: "no such call" }) : send(res, 200, encodeCall(entry.call))
        }
        send(res, 404, { message: "not found" })
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      ;(provider as { url: string }).url = `http://127.0.0.1:${port}`
      server.on("close", () => hanging.forEach((r) => r.destroy()))
      ;(server as http.Server & { hanging: typeof hanging }).hanging = hanging
      resume(Effect.succeed({ server, provider }))
    })
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      for (const r of (server as http.Server & { hanging: Set<http.ServerResponse> }).hanging) r.destroy()
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
).pipe(Effect.map(({ provider }) => provider))

export const sign = (body: string, secret = WEBHOOK_SECRET) => signBody(secret, body)
