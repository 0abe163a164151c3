import { isE164, LiftedSuppression, Suppression } from "@leadq/domain"
import { LeadqClient } from "@leadq/transport"
import { Effect, Option, Schema } from "effect"
import type { ConnectionFlags } from "../Connection.js"
import type { PageFlags } from "../Gateway.js"
import { given, pagingOf, withGateway } from "../Gateway.js"
import { listing } from "../Listing.js"
import type { Paint } from "../Output.js"
import { clip, count, Output, when } from "../Output.js"
import { UsageError } from "../UsageError.js"
import { uploadFile } from "../FileUpload.js"

const encodeSuppression = Schema.encodeSync(Suppression)
const encodeLifted = Schema.encodeSync(LiftedSuppression)

const printSuppression = (s: Suppression) =>
  Effect.gen(function*() {
    const output = yield* Output
    if (output.json) return yield* output.jsonLine(encodeSuppression(s))
    yield* output.record([
      ["phone", output.paint.bold(s.phone_number)],
      ["reason", s.reason ?? ""],
      ["expires", s.expires_at === null ? "never" : when(s.expires_at)],
      ["api key", s.api_key_id],
      ["suppressed at", when(s.created_at)],
      ["updated at", when(s.updated_at)]
    ])
  })

const suppressionRow = (s: Suppression, _p: Paint) => [
  s.phone_number,
  clip(s.reason?.replace(/\s+/g, " ")),
  s.expires_at === null ? "never" : when(s.expires_at),
  s.api_key_id,
  when(s.created_at)
]

/** A number as the CLI takes it: E.164 (national numbers go with --country-code on `add`). */
const e164 = (flag: string, phone: string) =>
  isE164(phone) ? Effect.succeed(phone) : Effect.fail(new UsageError({ message: `${flag} must be an E.164 number such as +14155550123, got "${phone}".` }))

export interface AddFlags extends ConnectionFlags {
  readonly phone: string
  readonly countryCode: Option.Option<string>
  readonly reason: Option.Option<string>
  readonly expiresAt: Option.Option<Date>
}

export const add = (flags: AddFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const countryCode = given(flags.countryCode)
    const reason = given(flags.reason)
    const expiresAt = Option.getOrUndefined(flags.expiresAt)
    // A national number goes with its country code; the gateway joins and checks them.
    const phone = countryCode === undefined ? { phone_number: yield* e164("The number", flags.phone) } : { phoneNumber: flags.phone, countryCode }
    const payload = {
      ...phone,
      ...(reason !== undefined ? { reason } : {}),
      ...(expiresAt !== undefined ? { expires_at: expiresAt } : {})
    }
    const leadq = yield* LeadqClient
    const suppression = yield* leadq.suppressions.create({ payload })
    const output = yield* Output
    if (!output.json) yield* output.note(`${suppression.phone_number} is suppressed: no campaign of the organization will call it.`)
    yield* printSuppression(suppression)
  }))

export interface ListFlags extends ConnectionFlags, PageFlags {
  readonly phone: Option.Option<string>
}

export const list = (flags: ListFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const leadq = yield* LeadqClient
    const paging = yield* pagingOf(flags)
    const given_ = given(flags.phone)
    const phone = given_ === undefined ? undefined : yield* e164("--phone", given_)
    yield* listing({
      paging,
      noun: "suppressions",
      fetch: (page, limit) => leadq.suppressions.list({ urlParams: { page, limit, ...(phone !== undefined ? { phone_number: phone } : {}) } }),
      headers: ["PHONE", "REASON", "EXPIRES", "API KEY", "SUPPRESSED AT"],
      row: suppressionRow,
      json: encodeSuppression
    })
  }))

export interface PhoneFlags extends ConnectionFlags {
  readonly phone: string
}

export const get = (flags: PhoneFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const phone = yield* e164("The number", flags.phone)
    const leadq = yield* LeadqClient
    yield* printSuppression(yield* leadq.suppressions.get({ path: { phone } }))
  }))

export const remove = (flags: PhoneFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const phone = yield* e164("The number", flags.phone)
    const leadq = yield* LeadqClient
    const lifted = yield* leadq.suppressions.lift({ path: { phone } })
    const output = yield* Output
    if (output.json) return yield* output.jsonLine(encodeLifted(lifted))
    yield* output.line(
      `Lifted the suppression of ${output.paint.bold(lifted.suppression.phone_number)} (recorded with key ${lifted.lifted_by} at ${when(lifted.lifted_at)}).`
    )
  }))

export interface UploadFlags extends ConnectionFlags {
  readonly file: string
}

export const upload = (flags: UploadFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const leadq = yield* LeadqClient
    const output = yield* Output
    const result = yield* uploadFile(flags.file, "waiting for the gateway to store the suppressions…", leadq.uploadSuppressionsCsv)
    if (output.json) return yield* output.jsonLine({ ...result })
    yield* output.line(
      `Suppressed ${count(result.suppressed)} numbers; ${count(result.updated)} already suppressed (reason and expiry updated); ` +
        `${count(result.skipped)} rows without a phone number skipped.`
    )
  }))
