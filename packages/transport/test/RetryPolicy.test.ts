import { describe, expect, it } from "@effect/vitest"
import { Duration } from "effect"
import {
  backoffMillis,
  delayAfterStatus,
  isIdempotent,
  isRetryableStatus,
  retryAfterMillis,
  retryPolicyOf
} from "../src/index.js"

describe("retry policy", () => {
  const policy = retryPolicyOf({ baseDelay: 100, maxDelay: 1000, maxRetryAfter: Duration.seconds(30) })

  it("retries idempotent methods only", () => {
    expect(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "delete"].every(isIdempotent)).toBe(true)
    expect(["POST", "PATCH"].some(isIdempotent)).toBe(false)
  })

  it("retries 429 and 5xx, not 4xx nor 501", () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true)
    expect([200, 304, 400, 401, 404, 409, 501].some(isRetryableStatus)).toBe(false)
  })

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-06-01T12:00:00Z")
    expect(retryAfterMillis("3", now)).toBe(3000)
    expect(retryAfterMillis("Mon, 01 Jun 2026 12:00:10 GMT", now)).toBe(10_000)
    expect(retryAfterMillis("Mon, 01 Jun 2026 11:00:00 GMT", now)).toBe(0)
    expect(retryAfterMillis("soon", now)).toBeUndefined()
    expect(retryAfterMillis(undefined, now)).toBeUndefined()
  })

  it("backs off exponentially with jitter, within half and all of each capped step", () => {
    for (const [retry, step] of [[0, 100], [1, 200], [2, 400], [3, 800], [4, 1000], [9, 1000]] as const) {
      expect(backoffMillis(policy, retry, 0)).toBe(step / 2)
      expect(backoffMillis(policy, retry, 0.999999)).toBeCloseTo(step, 0)
    }
  })

  it("waits at least Retry-After, and not at all past the policy's limit", () => {
    expect(delayAfterStatus(policy, 0, 2000, 0)).toBe(2000)
    expect(delayAfterStatus(policy, 0, 2000, 0.5)).toBe(2100)
    expect(delayAfterStatus(policy, 0, 31_000, 0)).toBeUndefined()
    expect(delayAfterStatus(policy, 2, undefined, 0)).toBe(200)
  })
})
