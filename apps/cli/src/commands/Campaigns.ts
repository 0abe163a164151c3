import type { CampaignStatus } from "@leadq/domain"
import { Campaign, CampaignInput, issuesOf } from "@leadq/domain"
import { LeadqClient } from "@leadq/transport"
import { Effect, Either, Option, Schema } from "effect"
import type { ConnectionFlags } from "../Connection.js"
import type { IdFlags, PageFlags } from "../Gateway.js"
import { given, pagingOf, withGateway } from "../Gateway.js"
import { listing } from "../Listing.js"
import type { Paint } from "../Output.js"
import { clip, count, Output, status, when } from "../Output.js"
import { UsageError } from "../UsageError.js"

const encodeCampaign = Schema.encodeSync(Campaign)

/** The contract's field names, as the flags that set them. */
const FLAG_OF: ReadonlyArray<readonly [RegExp, string]> = [
  [/^name\b/, "--name"],
  [/^agent_id\b/, "--agent-id"],
  [/^from_phone_number\b/, "--from"],
  [/^max_concurrent_calls\b/, "--max-concurrent-calls"],
  [/^retry_config\.max_retries\b/, "--max-retries"],
  [/^retry_config\.retry_interval_minutes\b/, "--retry-interval"],
  [/^scheduled_at\b/, "--scheduled-at"],
  [/^calling_window\.start_time\b/, "--window-start"],
  [/^calling_window\.end_time\b/, "--window-end"],
  [/^calling_window\.timezone\b/, "--timezone"],
  [/^calling_window\.days(\.\d+)?\b/, "--days"]
]

const asFlags = (issue: string) => {
  for (const [field, flag] of FLAG_OF) if (field.test(issue)) return issue.replace(field, flag)
  return issue
}

export const printCampaign = (campaign: Campaign) =>
  Effect.gen(function*() {
    const output = yield* Output
    if (output.json) return yield* output.jsonLine(encodeCampaign(campaign))
    const p = output.paint
    const window = campaign.calling_window
    yield* output.record([
      ["id", p.bold(campaign.id)],
      ["name", campaign.name],
      ["status", status(p, campaign.status)],
      ["agent", campaign.agent_id],
      ["from", campaign.from_phone_number],
      ["scheduled at", when(campaign.scheduled_at)],
      ["max calls", String(campaign.max_concurrent_calls)],
      [
        "retries",
        campaign.retry_config.max_retries === 0
          ? "none"
          : `${campaign.retry_config.max_retries}, every ${campaign.retry_config.retry_interval_minutes} min`
      ],
      [
        "calling window",
        window === null ? "any time" : `${window.start_time}–${window.end_time} ${window.timezone}${window.days ? ` (${window.days.join(",")})` : ""}`
      ],
      [
        "leads",
        `${count(campaign.total_leads)} total · ${count(campaign.pending_leads)} pending · ${count(campaign.in_progress_leads)} in progress · ` +
        `${count(campaign.completed_leads)} completed · ${count(campaign.failed_leads)} failed · ${count(campaign.removed_leads)} removed`
      ],
      ["created", when(campaign.created_at)],
      ["updated", when(campaign.updated_at)]
    ])
  })

const campaignRow = (c: Campaign, p: Paint) => [
  c.id,
  clip(c.name, 30),
  status(p, c.status),
  count(c.total_leads),
  count(c.pending_leads),
  count(c.in_progress_leads),
  count(c.completed_leads),
  count(c.failed_leads),
  count(c.removed_leads),
  when(c.created_at)
]

export interface CreateFlags extends ConnectionFlags {
  readonly name: string
  readonly agentId: string
  readonly from: string
  readonly maxConcurrentCalls: number
  readonly maxRetries: number
  readonly retryInterval: number
  readonly scheduledAt: Option.Option<string>
  readonly windowStart: Option.Option<string>
  readonly windowEnd: Option.Option<string>
  readonly timezone: Option.Option<string>
  readonly days: Option.Option<string>
}

/** The request body from the flags, checked against the contract's own schema before sending. */
const campaignBodyOf = (flags: CreateFlags) => {
  const windowGiven = [flags.windowStart, flags.windowEnd, flags.timezone, flags.days].some(Option.isSome)
  const body = {
    name: flags.name,
    agent_id: flags.agentId,
    from_phone_number: flags.from.replace(/[\s\-().]/g, ""),
    ...(Option.isSome(flags.scheduledAt) ? { scheduled_at: flags.scheduledAt.value } : {}),
    max_concurrent_calls: flags.maxConcurrentCalls,
    retry_config: { max_retries: flags.maxRetries, retry_interval_minutes: flags.retryInterval },
    ...(windowGiven
      ? {
        calling_window: {
          start_time: given(flags.windowStart),
          end_time: given(flags.windowEnd),
          timezone: given(flags.timezone),
          ...(Option.isSome(flags.days) ? { days: flags.days.value.split(",").map((d) => d.trim().toLowerCase()).filter((d) => d !== "") } : {})
        }
      }
      : {})
  }
  return Either.mapLeft(
    Schema.decodeUnknownEither(CampaignInput, { errors: "all", onExcessProperty: "error" })(body),
    (error) => new UsageError({ message: "The campaign is not valid:", details: issuesOf(error).map(asFlags) })
  )
}

export const create = (flags: CreateFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const payload = yield* campaignBodyOf(flags)
    const leadq = yield* LeadqClient
    const campaign = yield* leadq.campaigns.create({ payload })
    const output = yield* Output
    if (!output.json) yield* output.note(`Created campaign ${campaign.id}.`)
    yield* printCampaign(campaign)
  }))

export interface ListFlags extends ConnectionFlags, PageFlags {
  readonly status: Option.Option<CampaignStatus>
}

export const list = (flags: ListFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const leadq = yield* LeadqClient
    const paging = yield* pagingOf(flags)
    yield* listing({
      paging,
      noun: "campaigns",
      fetch: (page, limit) =>
        leadq.campaigns.list({ urlParams: { page, limit, ...(Option.isSome(flags.status) ? { status: flags.status.value } : {}) } }),
      headers: ["ID", "NAME", "STATUS", "LEADS", "PENDING", "IN CALL", "COMPLETED", "FAILED", "REMOVED", "CREATED"],
      row: campaignRow,
      json: encodeCampaign
    })
  }))

export const get = (flags: IdFlags) =>
  withGateway(flags, Effect.flatMap(LeadqClient, (leadq) => Effect.flatMap(leadq.campaigns.get({ path: { id: flags.id } }), printCampaign)))

const changed = (flags: IdFlags, what: string, change: Effect.Effect<Campaign, unknown, LeadqClient>) =>
  withGateway(flags, Effect.gen(function*() {
    const campaign = yield* change
    const output = yield* Output
    if (output.json) return yield* output.jsonLine(encodeCampaign(campaign))
    yield* output.line(`Campaign ${output.paint.bold(campaign.id)} (${campaign.name}) is ${status(output.paint, campaign.status)}.`)
    yield* output.note(what)
  }))

export const pause = (flags: IdFlags) =>
  changed(
    flags,
    "No new call starts while it is paused; calls in progress finish. Resume with: leadq campaigns resume " + flags.id,
    Effect.flatMap(LeadqClient, (leadq) => leadq.campaigns.update({ path: { id: flags.id }, payload: { status: "paused" } }))
  )

export const resume = (flags: IdFlags) =>
  changed(
    flags,
    "Due leads are dialled again, within its calling window and concurrency.",
    Effect.flatMap(LeadqClient, (leadq) => leadq.campaigns.update({ path: { id: flags.id }, payload: { status: "running" } }))
  )

export const cancel = (flags: IdFlags) =>
  changed(
    flags,
    "Cancelled for good: pending leads will never be dialled; calls in progress finish.",
    Effect.flatMap(LeadqClient, (leadq) => leadq.campaigns.cancel({ path: { id: flags.id } }))
  )
