import { describe, expect, it } from "@effect/vitest"
import { startTestGateway } from "@leadq/gateway/testing"
import { Effect } from "effect"
import type { FuzzRequest } from "../src/index.js"
import { databaseRows, problemsOf, rowDiff, send } from "../src/index.js"

/**
 * Requests the fuzzer found mishandled, kept as plain regression tests: each must be answered
 * (no hang, no dropped connection) with a 4xx in the envelope, and change nothing.
 */
const answered = (make: (key: string, campaignId: string) => FuzzRequest, expected: number) =>
  Effect.scoped(Effect.gen(function*() {
    const gw = yield* startTestGateway("sqlite")
    const rows = databaseRows.pipe(Effect.provide(gw.context))
    const created = yield* Effect.promise(() =>
      fetch(`${gw.baseUrl}/v1/campaigns`, {
        method: "POST",
        headers: { authorization: `Bearer ${gw.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "findings", agent_id: "agent_f", from_phone_number: "+14155550100" })
      }).then((r) => r.json() as Promise<{ id: string }>)
    )
    const request = make(gw.apiKey, created.id)
    const before = yield* rows
    const response = yield* Effect.promise(() => send(gw.baseUrl, request, 5_000).catch((e: unknown) => String(e)))
    if (typeof response === "string" || response === undefined) return expect.fail(`no answer: ${response}`)
    expect(problemsOf(request, response)).toEqual([])
    expect(response.status).toBe(expected)
    expect(rowDiff(before, yield* rows)).toEqual([])
  }))

describe("requests the fuzzer found mishandled", () => {
  it.live("a JSON body with a structured-syntax media type (application/merge-patch+json) is answered, not left hanging", () =>
    answered((key, campaignId) => ({
      operation: "campaigns.update",
      method: "PATCH",
      path: `/v1/campaigns/${campaignId}`,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/merge-patch+json" },
      body: Buffer.from(JSON.stringify({ name: "renamed" }))
    }), 415), 20_000)

  it.live("a JSON route with a multipart Content-Type and no body is a 415, not left hanging (the multipart parser waited)", () =>
    answered((key) => ({
      operation: "campaigns.create",
      method: "POST",
      path: "/v1/campaigns",
      headers: { authorization: `Bearer ${key}`, "content-type": "multipart/form-data; boundary=x" }
    }), 415), 20_000)

  it.live("a deeply nested JSON array is a 400, not a 500 (stack overflow formatting the decode error)", () =>
    answered((key, campaignId) => ({
      operation: "campaigns.update",
      method: "PATCH",
      path: `/v1/campaigns/${campaignId}`,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: Buffer.from("[".repeat(20_000) + "]".repeat(20_000))
    }), 400), 20_000)

  it.live("a chunked JSON body over the size limit is answered 413, not dropped", () =>
    answered((key, campaignId) => ({
      operation: "campaigns.update",
      method: "PATCH",
      path: `/v1/campaigns/${campaignId}`,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: Buffer.from(JSON.stringify({ name: "x".repeat(1024 * 1024 + 10) })),
      chunked: true
    }), 413), 20_000)
})
