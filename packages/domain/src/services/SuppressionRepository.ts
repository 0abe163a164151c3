import type { Effect } from "effect"
import { Context } from "effect"
import type { SuppressionNotFound } from "../Errors.js"
import type { ApiKeyId, OrganizationId } from "../Ids.js"
import type { Page, PageRequest } from "../Pagination.js"
import type { LiftedSuppression, Suppression, SuppressionDraft, SuppressionLift } from "../Suppression.js"

export interface SuppressionQuery extends PageRequest {
  /** Exact E.164 match. */
  readonly phone_number?: string | undefined
}

/**
 * The organization's suppression list (docs/design.md §3). Only active suppressions (no expiry,
 * or one in the future) are found or listed. Another organization's are never seen.
 */
export class SuppressionRepository extends Context.Tag("leadq/SuppressionRepository")<SuppressionRepository, {
  /** Suppress a number; an active suppression of it gets the new reason and expiry (`created: false`). */
  readonly suppress: (
    org: OrganizationId,
    draft: SuppressionDraft,
    apiKeyId: ApiKeyId
  ) => Effect.Effect<{ readonly suppression: Suppression; readonly created: boolean }>
  /** Many at once, in one transaction (the CSV upload); answers how many were new. */
  readonly suppressMany: (
    org: OrganizationId,
    drafts: ReadonlyArray<SuppressionDraft>,
    apiKeyId: ApiKeyId
  ) => Effect.Effect<{ readonly created: number; readonly updated: number }>
  /** Which of these numbers are actively suppressed (one indexed lookup). */
  readonly activeAmong: (org: OrganizationId, phones: ReadonlyArray<string>) => Effect.Effect<ReadonlySet<string>>
  /** Oldest first. */
  readonly list: (org: OrganizationId, query: SuppressionQuery) => Effect.Effect<Page<Suppression>>
  readonly get: (org: OrganizationId, phone: string) => Effect.Effect<Suppression, SuppressionNotFound>
  /**
   * The recorded lifts of a number, newest first: an empty page for a number suppressed (now or
   * once, expired) but never lifted; `SuppressionNotFound` for a number the organization never
   * suppressed — which is also what another organization's number is.
   */
  readonly lifts: (org: OrganizationId, phone: string, page: PageRequest) => Effect.Effect<Page<SuppressionLift>, SuppressionNotFound>
  /** Lift it: the suppression ends, and the lift is recorded (who, when, what was lifted). */
  readonly lift: (org: OrganizationId, phone: string, apiKeyId: ApiKeyId) => Effect.Effect<LiftedSuppression, SuppressionNotFound>
}>() {}
