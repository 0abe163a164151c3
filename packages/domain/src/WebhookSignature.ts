import { Data, Either } from "effect"
import { createHmac, timingSafeEqual } from "node:crypto"

/**
 * The leadq webhook signature (docs/webhooks.md "Signatures"), one module for both directions:
 * the dispatcher signs what it sends, the HTTP carrier adapter verifies what it receives.
 *
 *   leadq-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the secret>
 *
 * The timestamp is inside the signed text, so a captured request cannot be replayed with a fresh
 * `t`; a verifier rejects a `t` outside its tolerance (5 minutes by default) on either side.
 * Several `v1=` parts may be present (a secret being rotated): any one matching is enough.
 */
export const LEADQ_SIGNATURE_HEADER = "leadq-signature"
export const LEADQ_EVENT_ID_HEADER = "leadq-event-id"
export const LEADQ_EVENT_TYPE_HEADER = "leadq-event-type"

/** How far `t` may be from the verifier's clock, either way. */
export const DEFAULT_SIGNATURE_TOLERANCE_MS = 5 * 60_000

export class SignatureRejected extends Data.TaggedError("SignatureRejected")<{
  readonly reason: "missing_signature" | "malformed_signature" | "stale_signature" | "bad_signature"
  readonly message: string
}> {}

const hmac = (secret: string, timestamp: number, rawBody: string | Uint8Array): string =>
  createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest("hex")

/** The header value for `rawBody` signed at `nowMs` (epoch milliseconds). */
export const signLeadq = (secret: string, rawBody: string | Uint8Array, nowMs: number): string => {
  const t = Math.floor(nowMs / 1000)
  return `t=${t},v1=${hmac(secret, t, rawBody)}`
}

const equalHex = (a: string, b: string) => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Constant-time check of a `leadq-signature` header over the exact raw bytes received, at `nowMs`. */
export const verifyLeadq = (
  secret: string,
  rawBody: string | Uint8Array,
  header: string | undefined,
  nowMs: number,
  toleranceMs: number = DEFAULT_SIGNATURE_TOLERANCE_MS
): Either.Either<void, SignatureRejected> => {
  if (header === undefined || header.trim() === "") {
    return Either.left(new SignatureRejected({ reason: "missing_signature", message: `Missing ${LEADQ_SIGNATURE_HEADER} header.` }))
  }
  let t: number | undefined
  const v1: Array<string> = []
  for (const part of header.split(",")) {
    const eq = part.indexOf("=")
    if (eq < 0) continue
    const key = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (key === "t" && /^\d{1,12}$/.test(value)) t = Number(value)
    else if (key === "v1" && /^[0-9a-f]{64}$/.test(value)) v1.push(value)
  }
  if (t === undefined || v1.length === 0) {
    return Either.left(new SignatureRejected({ reason: "malformed_signature", message: `${LEADQ_SIGNATURE_HEADER} must be t=<unix seconds>,v1=<hex>.` }))
  }
  if (Math.abs(nowMs - t * 1000) > toleranceMs) {
    return Either.left(new SignatureRejected({ reason: "stale_signature", message: "Webhook signature timestamp is outside the tolerance." }))
  }
  const expected = hmac(secret, t, rawBody)
  return v1.some((candidate) => equalHex(expected, candidate))
    ? Either.right(undefined)
    : Either.left(new SignatureRejected({ reason: "bad_signature", message: "Webhook signature does not match." }))
}
