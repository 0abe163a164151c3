import type { Effect } from "effect"
import { Context } from "effect"
import type { Campaign, CampaignDraft, CampaignPatch, CampaignStatus } from "../Campaign.js"
import type { CampaignNotFound, CampaignTerminal, InvalidTransition } from "../Errors.js"
import type { OrganizationId } from "../Ids.js"
import type { Page, PageRequest } from "../Pagination.js"

export interface CampaignQuery extends PageRequest {
  readonly status?: CampaignStatus | undefined
}

/**
 * Campaigns of one organization. Ids are taken as plain strings: a malformed id is simply not
 * found. Another organization's campaign is not found either (never "forbidden").
 */
export class CampaignRepository extends Context.Tag("leadq/CampaignRepository")<CampaignRepository, {
  readonly create: (org: OrganizationId, draft: CampaignDraft) => Effect.Effect<Campaign>
  readonly get: (org: OrganizationId, id: string) => Effect.Effect<Campaign, CampaignNotFound>
  readonly list: (org: OrganizationId, query: CampaignQuery) => Effect.Effect<Page<Campaign>>
  /** Partial update, including pause (`status: "paused"`) and resume (`status: "running"`). */
  readonly update: (
    org: OrganizationId,
    id: string,
    patch: CampaignPatch
  ) => Effect.Effect<Campaign, CampaignNotFound | CampaignTerminal | InvalidTransition>
  /** Terminal: pending leads are never dialled; calls in progress finish. */
  readonly cancel: (org: OrganizationId, id: string) => Effect.Effect<Campaign, CampaignNotFound | CampaignTerminal>
}>() {}
