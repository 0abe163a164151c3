import { Either } from "effect"
import type { CampaignPatch, CampaignStatus } from "./Campaign.js"
import { isTerminal } from "./Campaign.js"
import { CampaignTerminal, InvalidTransition } from "./Errors.js"

/**
 * Campaign lifecycle (docs/design.md §4): `running ⇄ paused`, `running|paused → cancelled`,
 * `running → completed` when the queue drained. `completed` and `cancelled` are terminal.
 */
export interface CampaignState {
  readonly id: string
  readonly status: CampaignStatus
  readonly agent_id: string
  /** True once any lead of the campaign has been dialled. */
  readonly has_dialled: boolean
}

/** Pausing a paused campaign (or resuming a running one) is accepted and changes nothing. */
export const pause = (c: CampaignState): Either.Either<CampaignStatus, CampaignTerminal> =>
  isTerminal(c.status) ? Either.left(CampaignTerminal.of(c.id, c.status)) : Either.right("paused")

export const resume = (c: CampaignState): Either.Either<CampaignStatus, CampaignTerminal> =>
  isTerminal(c.status) ? Either.left(CampaignTerminal.of(c.id, c.status)) : Either.right("running")

/** Pending leads are never dialled after this; calls in progress finish. */
export const cancel = (c: CampaignState): Either.Either<CampaignStatus, CampaignTerminal> =>
  isTerminal(c.status) ? Either.left(CampaignTerminal.of(c.id, c.status)) : Either.right("cancelled")

/** Adding leads to a terminal campaign is refused. */
export const ensureAcceptsLeads = (c: Pick<CampaignState, "id" | "status">): Either.Either<void, CampaignTerminal> =>
  isTerminal(c.status) ? Either.left(CampaignTerminal.of(c.id, c.status)) : Either.right(undefined)

export interface QueueCounts {
  readonly total: number
  readonly pending: number
  readonly calling: number
  /** Leads removed during a call that has not ended yet. */
  readonly calls_in_flight: number
}

/** Drained: the campaign had leads and every one of them is final or removed, with no call running. */
export const isDrained = (q: QueueCounts): boolean =>
  q.total > 0 && q.pending === 0 && q.calling === 0 && q.calls_in_flight === 0

/** `running → completed` once drained; any other status stays. */
export const completeIfDrained = (status: CampaignStatus, q: QueueCounts): CampaignStatus =>
  status === "running" && isDrained(q) ? "completed" : status

/**
 * A partial update. A terminal campaign may only be renamed; `agent_id` is fixed once any lead
 * has been dialled (the calls already made were made by that agent).
 */
export const applyPatch = (
  c: CampaignState,
  patch: CampaignPatch
): Either.Either<CampaignStatus, CampaignTerminal | InvalidTransition> => {
  const changesQueue = patch.status !== undefined || patch.max_concurrent_calls !== undefined ||
    patch.retry_config !== undefined || patch.calling_window !== undefined || patch.agent_id !== undefined
  if (isTerminal(c.status) && changesQueue) return Either.left(CampaignTerminal.of(c.id, c.status))
  if (patch.agent_id !== undefined && patch.agent_id !== c.agent_id && c.has_dialled) {
    return Either.left(
      InvalidTransition.of("campaign", c.id, c.status, "change agent_id", `agent_id of campaign ${c.id} cannot change after calls were made.`)
    )
  }
  if (patch.status === "paused") return pause(c)
  if (patch.status === "running") return resume(c)
  return Either.right(c.status)
}
