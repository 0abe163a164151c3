/**
 * The rules of the `Idempotency-Key` header (docs/api.md, "Idempotency"): which keys are
 * acceptable, how long a key is remembered, and what a request finding its key already taken gets.
 */

/** A key is remembered this long after the request that first used it. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000

/**
 * A key still marked in flight this long after its request started is taken to be abandoned (its
 * gateway died mid-request) and may be claimed again by a request with the same fingerprint.
 * Far longer than any request runs (an upload of the largest file takes seconds).
 */
export const IDEMPOTENCY_ABANDONED_AFTER_MS = 10 * 60 * 1000

const KEY = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/

/**
 * 1 to 255 printable ASCII characters. Inner spaces are allowed; surrounding ones are not (HTTP
 * strips them anyway, so a key that relied on them would not be the key the server sees).
 */
export const isValidIdempotencyKey = (key: string): boolean => KEY.test(key)

/** The first answer to a keyed request, kept to be replayed byte for byte. */
export interface StoredAnswer {
  readonly status: number
  /** Headers the endpoint set (`content-type` among them), lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
}

/** A keyed request asking for its key, at `now` (epoch ms). */
export interface IdempotencyClaimInput {
  readonly organizationId: string
  readonly key: string
  readonly fingerprint: string
  readonly now: number
  /** Older keys are free again (`IDEMPOTENCY_KEY_TTL_MS`). */
  readonly ttlMs: number
  /** A claim in flight this long is abandoned (`IDEMPOTENCY_ABANDONED_AFTER_MS`). */
  readonly abandonedAfterMs: number
}

/** What a keyed request finds when it tries to claim its key. */
export type IdempotencyClaim =
  /** The key is this request's: run it, then `complete` or `release` with this token. */
  | { readonly _tag: "Claimed"; readonly token: string }
  /** The key was taken by a request with this fingerprint; its answer when it has one. */
  | { readonly _tag: "Taken"; readonly fingerprint: string; readonly answer: StoredAnswer | undefined }

/** What to answer a request whose key was already taken. */
export type IdempotencyOutcome =
  | { readonly _tag: "Replay"; readonly answer: StoredAnswer }
  | { readonly _tag: "InFlight" }
  | { readonly _tag: "Mismatch" }

/** Another request under the same key is refused whether or not the first has finished. */
export const outcomeOfTaken = (
  taken: { readonly fingerprint: string; readonly answer: StoredAnswer | undefined },
  fingerprint: string
): IdempotencyOutcome =>
  taken.fingerprint !== fingerprint
    ? { _tag: "Mismatch" }
    : taken.answer === undefined
    ? { _tag: "InFlight" }
    : { _tag: "Replay", answer: taken.answer }

/**
 * Whether an answer is kept for replay. A 5xx is not (the failure may be passing: the key is
 * released so a retry runs the request again), nor a 408 or 429 (the request was not looked at;
 * trying again later is the point). Every other answer is the request's outcome and is kept,
 * a 4xx included: the same request would be refused again.
 */
export const isKeptAnswer = (status: number): boolean => status < 500 && status !== 408 && status !== 429
