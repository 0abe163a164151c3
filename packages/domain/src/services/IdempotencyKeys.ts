import type { Effect } from "effect"
import { Context } from "effect"
import type { IdempotencyClaim, IdempotencyClaimInput, StoredAnswer } from "../Idempotency.js"

/**
 * The `Idempotency-Key`s of every organization and their first answers, where every gateway on
 * the database sees them (docs/api.md, "Idempotency"). A key is claimed atomically: of requests
 * racing on one key, one gets `Claimed`, the others `Taken`.
 */
export class IdempotencyKeys extends Context.Tag("leadq/IdempotencyKeys")<IdempotencyKeys, {
  /**
   * Claims the key for a request with this fingerprint, or says who has it. A key older than
   * `ttlMs`, or in flight for longer than `abandonedAfterMs` under the same fingerprint, is
   * claimed afresh.
   */
  readonly claim: (input: IdempotencyClaimInput) => Effect.Effect<IdempotencyClaim>
  /** Stores the answer of the claim holding `token` (nothing when the claim was lost meanwhile). */
  readonly complete: (organizationId: string, key: string, token: string, answer: StoredAnswer) => Effect.Effect<void>
  /** Forgets the claim holding `token`, so that the next request with the key runs. */
  readonly release: (organizationId: string, key: string, token: string) => Effect.Effect<void>
  /** Deletes the keys older than `ttlMs`; how many. */
  readonly prune: (now: number, ttlMs: number) => Effect.Effect<number>
}>() {}
