import type { Effect } from "effect"
import { Context } from "effect"

/** What failed key attempts are counted against: the client address, or the key id tried. */
export type AuthSubjectKind = "address" | "key"

export interface AuthSubject {
  readonly kind: AuthSubjectKind
  readonly id: string
}

/** A subject's failures in its current window, which ends at `resets_at` (epoch ms). */
export interface AuthFailureWindow extends AuthSubject {
  readonly failures: number
  readonly resets_at: number
}

/**
 * Failed API key attempts, counted where every gateway on the database sees them, so that
 * several gateways enforce one limit. A subject's window opens at its first failure and lasts
 * `windowMs`; a failure after it has ended opens a new one.
 */
export class AuthFailures extends Context.Tag("leadq/AuthFailures")<AuthFailures, {
  /** One more failure for each subject (one atomic statement); their windows as they are now. */
  readonly record: (
    subjects: ReadonlyArray<AuthSubject>,
    now: number,
    windowMs: number
  ) => Effect.Effect<ReadonlyArray<AuthFailureWindow>>
  /** The subjects whose open window holds at least the limit of their kind. */
  readonly overLimit: (
    now: number,
    windowMs: number,
    limits: Readonly<Record<AuthSubjectKind, number>>
  ) => Effect.Effect<ReadonlyArray<AuthFailureWindow>>
  /** Forgets the windows that ended; how many. */
  readonly prune: (now: number, windowMs: number) => Effect.Effect<number>
}>() {}
