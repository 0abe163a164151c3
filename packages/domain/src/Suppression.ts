import { Either, Schema } from "effect"
import { InvalidInput } from "./Errors.js"
import { ApiKeyId, SuppressionLiftId } from "./Ids.js"
import { E164, joinPhone } from "./Phone.js"

/**
 * An organization-wide "never call this number" (docs/design.md §3, suppressions): a person who
 * asked not to be called is not called again by any campaign of the organization, on any attempt
 * or retry. It is enforced in the worker's dial transaction, not only when leads are added.
 * A suppression with an `expires_at` in the past is no longer enforced nor listed.
 */
export class Suppression extends Schema.Class<Suppression>("Suppression")({
  phone_number: E164,
  reason: Schema.NullOr(Schema.String),
  /** When it stops being enforced; null: never. */
  expires_at: Schema.NullOr(Schema.Date),
  /** The API key that suppressed the number (or last changed its reason or expiry). */
  api_key_id: ApiKeyId,
  created_at: Schema.Date,
  updated_at: Schema.Date
}) {}

/** The answer to lifting a suppression: the record as it was, and who lifted it when (audited). */
export class LiftedSuppression extends Schema.Class<LiftedSuppression>("LiftedSuppression")({
  message: Schema.String,
  suppression: Suppression,
  lifted_by: ApiKeyId,
  lifted_at: Schema.Date
}) {}

/**
 * One lift of a suppression, as recorded when it was lifted (table `suppression_lifts`, never
 * deleted): what the suppression was, who had suppressed the number and when, who lifted it when.
 */
export class SuppressionLift extends Schema.Class<SuppressionLift>("SuppressionLift")({
  id: SuppressionLiftId,
  phone_number: E164,
  /** The lifted suppression's reason and expiry. */
  reason: Schema.NullOr(Schema.String),
  expires_at: Schema.NullOr(Schema.Date),
  /** The key that had suppressed the number (or last changed its reason or expiry), and when it was first suppressed. */
  suppressed_by: ApiKeyId,
  suppressed_at: Schema.Date,
  lifted_by: ApiKeyId,
  lifted_at: Schema.Date
}) {}

export const SUPPRESSION_REASON_MAX = 500

/** A suppression to write, validated. */
export interface SuppressionDraft {
  readonly phone_number: E164
  readonly reason: string | null
  readonly expires_at: Date | null
}

/** Is the suppression enforced at `now`? */
export const isActive = (s: { readonly expires_at: Date | number | null }, now: number): boolean =>
  s.expires_at === null || (typeof s.expires_at === "number" ? s.expires_at : s.expires_at.getTime()) > now

/** The wire input, once decoded: a number in E.164, or `phoneNumber` with `countryCode` as for leads. */
export interface SuppressionInput {
  readonly phone_number?: string | undefined
  readonly phoneNumber?: string | undefined
  readonly countryCode?: string | undefined
  readonly reason?: string | undefined
  readonly expires_at?: Date | undefined
}

/**
 * Unknown input made a draft: exactly one way of naming the number; an `expires_at` in the
 * future (one already past would be a suppression that is never enforced: refused, not ignored).
 */
export const suppressionDraftOf = (input: SuppressionInput, now: number): Either.Either<SuppressionDraft, InvalidInput> => {
  const problems: Array<string> = []
  let phone: E164 | undefined
  if ((input.phone_number === undefined) === (input.phoneNumber === undefined)) {
    problems.push("phone_number: send either phone_number (E.164) or phoneNumber with an optional countryCode")
  } else if (input.phone_number !== undefined) {
    if (input.countryCode !== undefined) problems.push("countryCode: goes with phoneNumber, not with phone_number")
    const joined = joinPhone(input.phone_number, undefined, "phone_number")
    if (Either.isLeft(joined)) problems.push(...joined.left.issues)
    else phone = joined.right
  } else {
    const joined = joinPhone(input.phoneNumber!, input.countryCode)
    if (Either.isLeft(joined)) problems.push(...joined.left.issues)
    else phone = joined.right
  }
  if (input.expires_at !== undefined && input.expires_at.getTime() <= now) {
    problems.push(`expires_at: must be in the future, got ${input.expires_at.toISOString()}`)
  }
  if (problems.length > 0 || phone === undefined) return Either.left(InvalidInput.of(problems))
  return Either.right({ phone_number: phone, reason: input.reason ?? null, expires_at: input.expires_at ?? null })
}
