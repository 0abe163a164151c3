import type { Effect, Option } from "effect"
import { Context } from "effect"
import type { BulkRemoval, CampaignLead, LeadDraft, LeadPatch, LeadRemoval, LeadStatus, RemovedFrom } from "../CampaignLead.js"
import type { CampaignNotFound, CampaignTerminal, LeadLocked, LeadNotFound, NumberSuppressed } from "../Errors.js"
import type { ApiKeyId, CampaignId, LeadId, OrganizationId, RemovalId } from "../Ids.js"
import type { Page, PageRequest } from "../Pagination.js"

export interface LeadQuery extends PageRequest {
  readonly campaign_id?: string | undefined
  /** Without a status filter, removed leads are left out; `status: "removed"` lists them. */
  readonly status?: LeadStatus | undefined
  /** Exact E.164 match: how the CLI turns an opt-out list of numbers into lead ids. */
  readonly phone_number?: string | undefined
}

/** Who asked for a removal, and why: kept in the audit record. */
export interface RemovalRequest {
  readonly api_key_id: ApiKeyId
  readonly reason?: string | undefined
  /**
   * Also suppress the lead's number organization-wide (docs/design.md §3), in the removal's own
   * transaction: both commit or neither does.
   */
  readonly suppress?: boolean | undefined
}

/**
 * The leads a bulk removal names: ids (of any campaign of the organization), or phone numbers
 * of one campaign (every lead of that campaign with such a number).
 */
export type BulkRemovalTarget =
  | { readonly _tag: "LeadIds"; readonly lead_ids: ReadonlyArray<string> }
  | { readonly _tag: "PhoneNumbers"; readonly campaign_id: string; readonly phone_numbers: ReadonlyArray<string> }

/** The audit record every removal leaves (docs/design.md §3, invariant 5). */
export interface RemovalRecord {
  readonly id: RemovalId
  readonly lead_id: LeadId
  readonly campaign_id: CampaignId
  readonly api_key_id: ApiKeyId
  readonly removed_from: RemovedFrom
  /** The attempt the lead was at (dials made before the removal). */
  readonly attempt: number
  readonly reason: string | null
  readonly removed_at: Date
}

export class LeadRepository extends Context.Tag("leadq/LeadRepository")<LeadRepository, {
  /** Enqueue one lead: it gets its slot (`scheduled_at`) now and keeps it. A suppressed number is refused. */
  readonly add: (
    org: OrganizationId,
    campaignId: string,
    draft: LeadDraft
  ) => Effect.Effect<CampaignLead, CampaignNotFound | CampaignTerminal | NumberSuppressed>
  /**
   * Enqueue many leads in one transaction, in order: all of them or none. Returns how many. The
   * caller leaves suppressed numbers out (`SuppressionRepository.activeAmong`); one suppressed
   * meanwhile is still never dialled (the dial re-check).
   */
  readonly addMany: (
    org: OrganizationId,
    campaignId: string,
    drafts: ReadonlyArray<LeadDraft>
  ) => Effect.Effect<number, CampaignNotFound | CampaignTerminal>
  /** A removed lead is not found. */
  readonly get: (org: OrganizationId, id: string) => Effect.Effect<CampaignLead, LeadNotFound>
  readonly list: (org: OrganizationId, query: LeadQuery) => Effect.Effect<Page<CampaignLead>>
  /** Correct a pending lead; any other state is `LeadLocked`. */
  readonly update: (
    org: OrganizationId,
    id: string,
    patch: LeadPatch
  ) => Effect.Effect<CampaignLead, LeadNotFound | LeadLocked | CampaignTerminal>
  /** docs/design.md §3: atomic, audited, and it moves no other lead. */
  readonly remove: (
    org: OrganizationId,
    id: string,
    request: RemovalRequest
  ) => Effect.Effect<LeadRemoval, LeadNotFound | CampaignTerminal>
  /**
   * Many removals in one transaction, each exactly as `remove` (the same rule, the same audit
   * record), answered entry by entry: removed, already removed, not found (including another
   * organization's ids) or refused (terminal campaign). A campaign of another organization is
   * `CampaignNotFound`.
   */
  readonly removeMany: (
    org: OrganizationId,
    target: BulkRemovalTarget,
    request: RemovalRequest
  ) => Effect.Effect<BulkRemoval, CampaignNotFound>
  /** The removal audit record of a lead, if it was removed. */
  readonly removalOf: (org: OrganizationId, leadId: string) => Effect.Effect<Option.Option<RemovalRecord>>
}>() {}
