/**
 * When a failed delivery is tried again (docs/webhooks.md "Retry schedule"): exponential backoff
 * with full jitter — the n-th retry waits a uniformly random time from 0 to
 * `min(max, base × 2^(n-1))` — so that receivers coming back up are not hit by every dispatcher at
 * once. The last attempt is placed exactly at the end of the delivery's life (`max_age` after its
 * event); after that the delivery is `failed`.
 */
export interface RetryPolicy {
  readonly base_ms: number
  readonly max_ms: number
  readonly max_age_ms: number
}

/** The longest wait before retry `n` (1 for the first retry). */
export const retryCeiling = (policy: RetryPolicy, n: number): number =>
  Math.min(policy.max_ms, policy.base_ms * 2 ** Math.min(Math.max(0, n - 1), 40))

export type NextStep =
  | { readonly _tag: "retry"; readonly at: number }
  | { readonly _tag: "give_up" }

/**
 * After attempt number `attempts` failed at `now`, for a delivery whose life started at `since`:
 * when to try again, or give up. `random` is in [0, 1).
 */
export const nextStep = (policy: RetryPolicy, attempts: number, since: number, now: number, random: number): NextStep => {
  const deadline = since + policy.max_age_ms
  if (now >= deadline) return { _tag: "give_up" }
  const wait = Math.floor(random * retryCeiling(policy, attempts))
  return { _tag: "retry", at: Math.min(deadline, now + wait) }
}
