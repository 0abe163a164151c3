import { Either, Schema } from "effect"
import { CallingWindow } from "./CallingWindow.js"
import type { CampaignDraft } from "./Campaign.js"
import { AgentId, CampaignName, DEFAULT_RETRY_CONFIG, MaxConcurrentCalls, RetryConfig } from "./Campaign.js"
import type { LeadDraft, LeadPatch } from "./CampaignLead.js"
import { LeadName } from "./CampaignLead.js"
import { InvalidInput } from "./Errors.js"
import { Notes } from "./Notes.js"
import { E164, joinPhone } from "./Phone.js"
import { validate } from "./Validation.js"

/**
 * The domain's constructors: unknown input in, a validated draft or an `InvalidInput` with one
 * clear message per problem out. The wire schemas of `@leadq/api` reuse these field schemas.
 */
export const CampaignInput = Schema.Struct({
  name: CampaignName,
  agent_id: AgentId,
  from_phone_number: E164,
  scheduled_at: Schema.optional(Schema.Date),
  max_concurrent_calls: Schema.optionalWith(MaxConcurrentCalls, { default: () => 1 }),
  retry_config: Schema.optionalWith(RetryConfig, { default: () => DEFAULT_RETRY_CONFIG }),
  calling_window: Schema.optional(Schema.NullOr(CallingWindow))
})

export const makeCampaignDraft: (input: unknown) => Either.Either<CampaignDraft, InvalidInput> = validate(CampaignInput)

/** The documented request body of `POST /v1/campaigns-leads`, camelCase, minus `campaignId`. */
export const LeadInput = Schema.Struct({
  phoneNumber: Schema.String.pipe(Schema.maxLength(32, { message: () => "must be at most 32 characters" })),
  countryCode: Schema.optional(Schema.String.pipe(Schema.maxLength(8, { message: () => "must be at most 8 characters" }))),
  name: Schema.optional(Schema.NullOr(LeadName)),
  notes: Schema.optional(Notes)
})
export type LeadInput = typeof LeadInput.Type

/** Joins `countryCode` and `phoneNumber` into E.164 (see `joinPhone`). */
export const leadDraftOf = (input: LeadInput): Either.Either<LeadDraft, InvalidInput> =>
  Either.map(joinPhone(input.phoneNumber, input.countryCode), (phone_number) => ({
    name: input.name === undefined || input.name === "" ? null : input.name,
    phone_number,
    notes: input.notes ?? {}
  }))

const decodeLeadInput = validate(LeadInput)
export const makeLeadDraft = (input: unknown): Either.Either<LeadDraft, InvalidInput> =>
  Either.flatMap(decodeLeadInput(input), leadDraftOf)

export const LeadPatchInput = Schema.Struct({
  phoneNumber: Schema.optional(Schema.String.pipe(Schema.maxLength(32, { message: () => "must be at most 32 characters" }))),
  countryCode: Schema.optional(Schema.String.pipe(Schema.maxLength(8, { message: () => "must be at most 8 characters" }))),
  name: Schema.optional(Schema.NullOr(LeadName)),
  notes: Schema.optional(Notes)
})
export type LeadPatchInput = typeof LeadPatchInput.Type

export const leadPatchOf = (input: LeadPatchInput): Either.Either<LeadPatch, InvalidInput> => {
  if (input.countryCode !== undefined && input.phoneNumber === undefined) {
    return Either.left(InvalidInput.of(["countryCode: can only be changed together with phoneNumber"]))
  }
  const phone = input.phoneNumber === undefined ? Either.right(undefined) : joinPhone(input.phoneNumber, input.countryCode)
  return Either.map(phone, (phone_number) => ({
    ...(input.name !== undefined ? { name: input.name === "" ? null : input.name } : {}),
    ...(phone_number !== undefined ? { phone_number } : {}),
    ...(input.notes !== undefined ? { notes: input.notes } : {})
  }))
}
