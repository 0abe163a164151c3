import { isE164, LiftedSuppression, Suppression, SuppressionLift } from "@leadq/domain"
import { LeadqClient } from "@leadq/transport"
import { Effect, Either, Option, Schema } from "effect"
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
const encodeLift = Schema.encodeSync(SuppressionLift)

/** How many lifts `get` shows (the newest); the API pages through all of them. */
const LIFTS_SHOWN = 100

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

/**
 * The number's suppression and its lift history (newest first). A number not suppressed now
 * still fails (exit 1), as scripts checking "is it suppressed?" expect — after showing the lifts
 * it has, which is what a compliance review of a number asks for.
 */
export const get = (flags: PhoneFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const phone = yield* e164("The number", flags.phone)
    const leadq = yield* LeadqClient
    const output = yield* Output
    // Any failure of this one (not found, above all) is told after the lifts.
    const current = yield* Effect.either(leadq.suppressions.get({ path: { phone } }))
    const history = yield* leadq.suppressions.lifts({ path: { phone }, urlParams: { limit: LIFTS_SHOWN } }).pipe(
      Effect.map((page) => page.data),
      Effect.catchTag("SuppressionNotFound", () => Effect.succeed([] as ReadonlyArray<SuppressionLift>))
    )
    if (output.json) {
      const lifts = history.map((l) => encodeLift(l))
      if (Either.isRight(current)) yield* output.jsonLine({ ...encodeSuppression(current.right), lifts })
      else if (lifts.length > 0) yield* output.jsonLine({ phone_number: phone, lifts })
    } else {
      if (Either.isRight(current)) yield* printSuppression(current.right)
      if (history.length > 0) {
        yield* output.line(`Lifted ${count(history.length)} time${history.length === 1 ? "" : "s"}${history.length === LIFTS_SHOWN ? " (the newest shown)" : ""}:`)
        yield* output.table(
          ["LIFTED AT", "LIFTED BY", "SUPPRESSED AT", "SUPPRESSED BY", "REASON", "EXPIRES"],
          history.map((l) => [
            when(l.lifted_at),
            l.lifted_by,
            when(l.suppressed_at),
            l.suppressed_by,
            clip(l.reason?.replace(/\s+/g, " ")),
            l.expires_at === null ? "never" : when(l.expires_at)
          ])
        )
      }
    }
    if (Either.isLeft(current)) return yield* Effect.fail(current.left)
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
