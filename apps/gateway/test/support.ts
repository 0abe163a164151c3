import { SqlClient } from "@effect/sql"
import { isEnvelope } from "@leadq/api"
import { expect } from "@effect/vitest"
import { Effect } from "effect"
import type { TestGatewayInfo } from "../src/testing/index.js"

/** A JSON value read off the wire, for tests to poke at freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any

/** What a raw HTTP call came back with (the wire, exactly). */
export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: Json
}

export interface CallOptions {
  /** An API key, or null for no Authorization header at all (default: the gateway's first key). */
  readonly key?: string | null
  /** A JS value sent as JSON, or a string / FormData / Uint8Array sent as is. */
  readonly body?: unknown
  readonly headers?: Record<string, string>
}

export const call = (gw: TestGatewayInfo, method: string, path: string, options: CallOptions = {}): Effect.Effect<Reply> =>
  Effect.promise(async () => {
    const headers: Record<string, string> = { ...options.headers }
    const key = options.key === undefined ? gw.apiKey : options.key
    if (key !== null) headers["authorization"] ??= `Bearer ${key}`
    let body: BodyInit | undefined
    if (options.body instanceof FormData || typeof options.body === "string" || options.body instanceof Uint8Array) {
      body = options.body as BodyInit
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body)
      headers["content-type"] ??= "application/json"
    }
    const res = await fetch(gw.baseUrl + path, { method, headers, ...(body !== undefined ? { body } : {}) })
    const text = await res.text()
    let json: unknown
    try {
      json = text === "" ? undefined : JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: res.status, headers: res.headers, text, json }
  })

/** The reply is the error envelope with this status and code (and no stack, no HTML). */
export const expectFailure = (reply: Reply, status: number, code: string) => {
  expect({ status: reply.status, code: reply.json?.code }).toEqual({ status, code })
  expect(isEnvelope(reply.json)).toBe(true)
  expect(reply.json.statusCode).toBe(status)
  expect(reply.headers.get("content-type")).toContain("application/json")
  expect(reply.text).not.toMatch(/\bat .*\.(ts|js):\d+/)
  return reply.json as Record<string, Json>
}

export const expectStatus = (reply: Reply, status: number) => {
  if (reply.status !== status) throw new Error(`expected ${status}, got ${reply.status}: ${reply.text.slice(0, 500)}`)
  return reply.json
}

export const campaignBody = (overrides: Record<string, unknown> = {}) => ({
  name: "Renewals",
  agent_id: "agent_1",
  from_phone_number: "+14155550100",
  max_concurrent_calls: 2,
  retry_config: { max_retries: 1, retry_interval_minutes: 10 },
  ...overrides
})

let phoneSeq = 0
/** A phone number no other test of this process uses. */
export const freshPhone = () => `+1415${String(2_000_000 + (phoneSeq++ % 7_000_000)).padStart(7, "0")}`

export const createCampaign = (gw: TestGatewayInfo, key: string = gw.apiKey, overrides: Record<string, unknown> = {}) =>
  Effect.map(call(gw, "POST", "/v1/campaigns", { key, body: campaignBody(overrides) }), (r) => expectStatus(r, 201))

export const addLead = (gw: TestGatewayInfo, campaignId: string, key: string = gw.apiKey, extra: Record<string, unknown> = {}) =>
  Effect.map(
    call(gw, "POST", "/v1/campaigns-leads", { key, body: { campaignId, phoneNumber: freshPhone(), name: "Ada", ...extra } }),
    (r) => expectStatus(r, 201)
  )

/**
 * Every row that a request could change, in a stable order: compared before and after a request
 * that must change nothing.
 */
export const snapshot = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const out: Record<string, ReadonlyArray<unknown>> = {}
  for (const [table, order] of [
    ["organizations", "id"],
    ["api_keys", "id"],
    ["campaigns", "id"],
    ["leads", "id"],
    ["call_logs", "id"],
    ["lead_removals", "id"],
    ["carrier_events", "provider_call_id"],
    ["suppressions", "organization_id, phone_number"],
    ["suppression_lifts", "id"]
  ] as const) {
    out[table] = yield* sql.unsafe(`SELECT * FROM ${table} ORDER BY ${order}`)
  }
  return out
}).pipe(Effect.orDie)
