import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either } from "effect"
import { DEFAULT_WEBHOOK_SETTINGS, eventBody, nextStep, retryCeiling, webhookSettingsFromEnv } from "../src/index.js"

const policy = { base_ms: 5_000, max_ms: 3_600_000, max_age_ms: 86_400_000 }

describe("the retry schedule", () => {
  it("retry n waits up to base × 2^(n-1), capped (the table of docs/webhooks.md)", () => {
    expect([1, 2, 3, 4, 10, 11, 40].map((n) => retryCeiling(policy, n))).toEqual([5_000, 10_000, 20_000, 40_000, 2_560_000, 3_600_000, 3_600_000])
  })
  it("full jitter: anywhere from now to the ceiling, never past the end of the delivery's life", () => {
    const since = 0
    expect(nextStep(policy, 3, since, 1_000, 0)).toEqual({ _tag: "retry", at: 1_000 })
    expect(nextStep(policy, 3, since, 1_000, 0.999_999)).toEqual({ _tag: "retry", at: 1_000 + 19_999 })
    // Close to the end: the last attempt is placed exactly at it.
    expect(nextStep(policy, 30, since, 86_399_000, 0.9)).toEqual({ _tag: "retry", at: 86_400_000 })
    // At or past the end: failed.
    expect(nextStep(policy, 31, since, 86_400_000, 0.5)).toEqual({ _tag: "give_up" })
  })
})

describe("the wire body", () => {
  it("is {id, type, created_at, data} with the committed data text placed as it is", () => {
    const body = eventBody({ id: "evt_1", type: "lead.removed", created_at: Date.parse("2026-12-04T18:00:00Z"), payload: "{\"lead_id\":\"lead_1\",\"n\":1.50}" })
    expect(body).toBe("{\"id\":\"evt_1\",\"type\":\"lead.removed\",\"created_at\":\"2026-12-04T18:00:00.000Z\",\"data\":{\"lead_id\":\"lead_1\",\"n\":1.50}}")
    expect(JSON.parse(body).data).toEqual({ lead_id: "lead_1", n: 1.5 })
  })
})

describe("the dispatcher's settings", () => {
  const read = (env: Record<string, string>) =>
    Effect.runSync(Effect.either(Effect.withConfigProvider(webhookSettingsFromEnv, ConfigProvider.fromMap(new Map(Object.entries(env))))))
  it("defaults: on, 10 s timeout, 24 h of retries, 7 days of retention", () => {
    expect(read({})).toEqual(Either.right(DEFAULT_WEBHOOK_SETTINGS))
    expect(DEFAULT_WEBHOOK_SETTINGS).toMatchObject({ webhooks: true, webhook_timeout_ms: 10_000, webhook_max_age_ms: 86_400_000, webhook_retention_ms: 604_800_000 })
  })
  it("a bad value, or a lease shorter than twice the timeout, names the variable", () => {
    expect(String(Either.getLeft(read({ LEADQ_WEBHOOKS: "maybe" })))).toContain("LEADQ_WEBHOOKS must be true or false")
    expect(String(Either.getLeft(read({ LEADQ_WEBHOOK_TIMEOUT_MS: "5s" })))).toContain("LEADQ_WEBHOOK_TIMEOUT_MS must be a whole number of milliseconds")
    expect(String(Either.getLeft(read({ LEADQ_WEBHOOK_TIMEOUT_MS: "20000", LEADQ_WEBHOOK_LEASE_MS: "30000" }))))
      .toContain("LEADQ_WEBHOOK_LEASE_MS must be at least twice LEADQ_WEBHOOK_TIMEOUT_MS")
    expect(read({ LEADQ_WEBHOOKS: "off", LEADQ_WEBHOOK_TIMEOUT_MS: "20000", LEADQ_WEBHOOK_LEASE_MS: "40000" })).toMatchObject({ right: { webhooks: false, webhook_lease_ms: 40_000 } })
  })
})
