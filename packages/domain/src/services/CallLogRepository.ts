import type { Effect } from "effect"
import { Context } from "effect"
import type { CallLog, CallLogStatus } from "../CallLog.js"
import type { CallLogNotFound, CampaignNotFound } from "../Errors.js"
import type { OrganizationId } from "../Ids.js"
import type { Page, PageRequest } from "../Pagination.js"

export interface CallLogQuery extends PageRequest {
  readonly campaign_id?: string | undefined
  readonly lead_id?: string | undefined
  readonly status?: CallLogStatus | undefined
  /** `created_at` at or after. */
  readonly start_date?: Date | undefined
  /** `created_at` at or before. */
  readonly end_date?: Date | undefined
  readonly duration_min?: number | undefined
  readonly duration_max?: number | undefined
  readonly sort?: "asc" | "desc" | undefined
}

/** Call logs are read here; only the worker's queue writes them, and nothing deletes one. */
export class CallLogRepository extends Context.Tag("leadq/CallLogRepository")<CallLogRepository, {
  readonly list: (org: OrganizationId, query: CallLogQuery) => Effect.Effect<Page<CallLog>>
  /** Every attempt of one campaign; a campaign of another organization is not found. */
  readonly listByCampaign: (
    org: OrganizationId,
    campaignId: string,
    query: CallLogQuery
  ) => Effect.Effect<Page<CallLog>, CampaignNotFound>
  readonly get: (org: OrganizationId, id: string) => Effect.Effect<CallLog, CallLogNotFound>
}>() {}
