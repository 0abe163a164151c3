import type { Effect, Option } from "effect"
import { Context } from "effect"
import type { BulkRemoval, CampaignLead, LeadDraft, LeadPatch, LeadRemoval, LeadStatus, RemovedFrom } from "../CampaignLead.js"
import type { CampaignNotFound, CampaignTerminal, DuplicateLead, LeadLocked, LeadNotFound, NumberSuppressed } from "../Errors.js"
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

/** A draft of `addMany` left out: its number is already held in the campaign (or earlier in the same call). */
export interface SkippedDraft {
  /** The draft's position in the list given to `addMany`. */
  readonly index: number
  readonly phone_number: string
  readonly reason: "duplicate"
  /** The live lead holding the number (an earlier draft's new lead included); `null` if it was removed meanwhile. */
  readonly lead_id: LeadId | null
}

export interface AddManyResult {
  readonly created: number
  /** In draft order. */
  readonly skipped: ReadonlyArray<SkippedDraft>
}

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
  /**
   * Enqueue one lead: it gets its slot (`scheduled_at`) now and keeps it. A suppressed number is
   * `NumberSuppressed` (checked first); a number already held by a live (not removed) lead of the
   * campaign is `DuplicateLead`.
   */
  readonly add: (
    org: OrganizationId,
    campaignId: string,
    draft: LeadDraft
  ) => Effect.Effect<CampaignLead, CampaignNotFound | CampaignTerminal | NumberSuppressed | DuplicateLead>
  /**
   * Enqueue many leads in one transaction, in order: all of them or none, except that a draft
   * whose number a live lead of the campaign already holds, or an earlier draft of the same call
   * has, is skipped and reported rather than failing the rest. The caller leaves suppressed
   * numbers out (`SuppressionRepository.activeAmong`); one suppressed meanwhile is still never
   * dialled (the dial re-check).
   */
  readonly addMany: (
    org: OrganizationId,
    campaignId: string,
    drafts: ReadonlyArray<LeadDraft>
  ) => Effect.Effect<AddManyResult, CampaignNotFound | CampaignTerminal>
  /** A removed lead is not found. */
  readonly get: (org: OrganizationId, id: string) => Effect.Effect<CampaignLead, LeadNotFound>
  readonly list: (org: OrganizationId, query: LeadQuery) => Effect.Effect<Page<CampaignLead>>
  /**
   * Correct a pending lead; any other state is `LeadLocked`. A new number on the organization's
   * suppression list is `NumberSuppressed` (checked first); one another live lead of the campaign
   * holds is `DuplicateLead`.
   */
  readonly update: (
    org: OrganizationId,
    id: string,
    patch: LeadPatch
  ) => Effect.Effect<CampaignLead, LeadNotFound | LeadLocked | CampaignTerminal | NumberSuppressed | DuplicateLead>
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
