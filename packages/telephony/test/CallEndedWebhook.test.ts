import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { signLeadq, verifyLeadq } from "@leadq/domain"
import { signBody, verifyCallEnded } from "../src/index.js"

const secret = "whsec_1"
const body = JSON.stringify({
  event: "call_ended",
  call: {
    id: "pc_1",
    status: "completed",
    end_reason: "user_disconnected",
    duration_seconds: 42,
    started_at: "2026-06-01T12:00:00.000Z",
    ended_at: "2026-06-01T12:00:42.000Z"
  }
})

describe("the call_ended webhook", () => {
  it("a body signed with the shared secret is accepted and read", () => {
    const r = verifyCallEnded(secret, body, signBody(secret, body))
    expect(Either.isRight(r)).toBe(true)
    if (Either.isRight(r)) {
      expect(r.right.providerCallId).toBe("pc_1")
      expect(r.right.outcome).toMatchObject({ status: "completed", duration_seconds: 42, connected_at: new Date("2026-06-01T12:00:00Z") })
    }
  })
  it("missing, wrong-secret, truncated and tampered signatures are rejected", () => {
    const reasons = [
      verifyCallEnded(secret, body, undefined),
      verifyCallEnded(secret, body, ""),
      verifyCallEnded(secret, body, signBody("other", body)),
      verifyCallEnded(secret, body, signBody(secret, body).slice(0, -2)),
      verifyCallEnded(secret, body.replace("42,", "43,"), signBody(secret, body))
    ].map((r) => (Either.isLeft(r) ? r.left.reason : "accepted"))
    expect(reasons).toEqual(["missing_signature", "missing_signature", "bad_signature", "bad_signature", "bad_signature"])
  })
  it("a signed body that is not a call_ended event is a bad payload", () => {
    const other = JSON.stringify({ event: "call_started", call: { id: "pc_1" } })
    const r = verifyCallEnded(secret, other, signBody(secret, other))
    expect(Either.isLeft(r) && r.left.reason).toBe("bad_payload")
  })
})

describe("the call_ended webhook signed the leadq way (leadq-signature)", () => {
  const now = Date.parse("2026-06-01T12:01:00Z")
  it("a leadq-signature over the raw body is accepted, the X-Signature scheme still is", () => {
    const leadq = verifyCallEnded(secret, body, { "leadq-signature": signLeadq(secret, body, now) }, now)
    expect(Either.isRight(leadq) && leadq.right.providerCallId).toBe("pc_1")
    const dialnexa = verifyCallEnded(secret, body, { "x-signature": signBody(secret, body) }, now)
    expect(Either.isRight(dialnexa) && dialnexa.right.providerCallId).toBe("pc_1")
  })
  it("another secret, a tampered body, a stale or future timestamp and a malformed header are rejected", () => {
    const reasons = [
      verifyCallEnded(secret, body, { "leadq-signature": signLeadq("other", body, now) }, now),
      verifyCallEnded(secret, body.replace("42,", "43,"), { "leadq-signature": signLeadq(secret, body, now) }, now),
      verifyCallEnded(secret, body, { "leadq-signature": signLeadq(secret, body, now - 6 * 60_000) }, now),
      verifyCallEnded(secret, body, { "leadq-signature": signLeadq(secret, body, now + 6 * 60_000) }, now),
      verifyCallEnded(secret, body, { "leadq-signature": "v1=abc" }, now),
      verifyCallEnded(secret, body, {}, now)
    ].map((r) => (Either.isLeft(r) ? r.left.reason : "accepted"))
    expect(reasons).toEqual(["bad_signature", "bad_signature", "bad_signature", "bad_signature", "bad_signature", "missing_signature"])
  })
  it("within the 5-minute tolerance a timestamp is accepted, and any one of several v1 values may match", () => {
    const header = signLeadq(secret, body, now - 4 * 60_000)
    expect(Either.isRight(verifyLeadq(secret, body, header, now))).toBe(true)
    const t = header.split(",")[0]
    const rotated = `${t},v1=${"0".repeat(64)},${header.split(",")[1]}`
    expect(Either.isRight(verifyLeadq(secret, body, rotated, now))).toBe(true)
    expect(Either.isLeft(verifyLeadq(secret, body, `${t},v1=${"0".repeat(64)}`, now))).toBe(true)
  })
})
