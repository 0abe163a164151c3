import { describe, expect, it } from "@effect/vitest"
import { isKeptAnswer, isValidIdempotencyKey, outcomeOfTaken } from "../src/index.js"

describe("Idempotency-Key rules", () => {
  it("a key is 1 to 255 printable ASCII characters, inner spaces allowed, none around", () => {
    for (const key of ["a", "k".repeat(255), "550e8400-e29b-41d4-a716-446655440000", "order 42 / retry", "~!@#$%^&*()"]) {
      expect(isValidIdempotencyKey(key)).toBe(true)
    }
    for (const key of ["", " ", "k".repeat(256), " lead", "trail ", "caf\u00e9", "tab\tkey", "new\nline", "nul\u0000"]) {
      expect(isValidIdempotencyKey(key)).toBe(false)
    }
  })

  it("a taken key: another fingerprint is a mismatch, in flight or not; the same one waits for or replays the answer", () => {
    const answer = { status: 201, headers: { "content-type": "application/json" }, body: new Uint8Array([1]) }
    expect(outcomeOfTaken({ fingerprint: "a", answer }, "b")).toEqual({ _tag: "Mismatch" })
    expect(outcomeOfTaken({ fingerprint: "a", answer: undefined }, "b")).toEqual({ _tag: "Mismatch" })
    expect(outcomeOfTaken({ fingerprint: "a", answer: undefined }, "a")).toEqual({ _tag: "InFlight" })
    expect(outcomeOfTaken({ fingerprint: "a", answer }, "a")).toEqual({ _tag: "Replay", answer })
  })

  it("successes and 4xx are kept; 5xx, 408 and 429 are not", () => {
    expect([200, 201, 204, 400, 401, 404, 409, 413, 422].every(isKeptAnswer)).toBe(true)
    expect([408, 429, 500, 502, 503].some(isKeptAnswer)).toBe(false)
  })
})
