import type { Effect } from "effect"
import { Context } from "effect"
import type { LeadNotFound } from "../Errors.js"
import type { OrganizationId } from "../Ids.js"
import type { Page, PageRequest } from "../Pagination.js"
import type { RemovalAudit } from "../RemovalAudit.js"

export interface RemovalAuditQuery extends PageRequest {
  readonly campaign_id?: string | undefined
  /** Exact E.164 match on the lead's number at removal time. */
  readonly phone_number?: string | undefined
  readonly api_key_id?: string | undefined
  /** `removed_at` at or after. */
  readonly from?: Date | undefined
  /** `removed_at` at or before. */
  readonly to?: Date | undefined
}

/**
 * The removal audit records, read for compliance reviews (docs/design.md §3, invariant 5). Only
 * the removal writes them (`LeadRepository.remove`); nothing changes or deletes one. Another
 * organization's records are never seen.
 */
export class RemovalAuditRepository extends Context.Tag("leadq/RemovalAuditRepository")<RemovalAuditRepository, {
  /** Newest first. */
  readonly list: (org: OrganizationId, query: RemovalAuditQuery) => Effect.Effect<Page<RemovalAudit>>
  /** The record of one lead; a lead never removed, or another organization's, is `LeadNotFound`. */
  readonly ofLead: (org: OrganizationId, leadId: string) => Effect.Effect<RemovalAudit, LeadNotFound>
}>() {}
