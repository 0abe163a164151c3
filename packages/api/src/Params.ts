import type { PageRequest } from "@leadq/domain"
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from "@leadq/domain"
import { Schema } from "effect"

/**
 * Path and query parameters shared by the groups. Identifiers are taken as opaque strings of a
 * safe alphabet: a well-formed id that names nothing (or another organization's thing) is a
 * 404 from the repository, anything else is a 400 here and never reaches the database.
 */
export const IdParam = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9_-]{1,64}$/, {
    message: () => "must be an identifier (letters, digits, _ and -, at most 64 characters), such as lead_…"
  })
).annotations({ description: "An identifier, such as `cmp_…`, `lead_…` or `log_…`." })

export const IdPath = Schema.Struct({ id: IdParam })

/**
 * A whole number in a query string, from 1 to `max`. Written as a string schema with a pattern,
 * transformed to a number, so the reference shows what to send (not an opaque "NumberFromString").
 */
const PositiveIntFromString = (max: number, what: string, description: string) =>
  Schema.transform(
    Schema.String.pipe(Schema.pattern(/^[0-9]{1,9}$/, { message: () => what })).annotations({ description }),
    Schema.Number.pipe(Schema.filter((n) => (n >= 1 && n <= max) || what)),
    { strict: true, decode: (s) => Number(s), encode: (n) => String(n) }
  )

/**
 * `?page=1&limit=20`: page from 1, limit from 1 to 100. Both optional (a client need not send
 * them); the gateway applies the defaults with `pageRequestOf`.
 */
export const PageParams = {
  page: Schema.optional(
    PositiveIntFromString(1_000_000, "must be an integer from 1 to 1000000", "Page number, from 1 (default 1).")
  ),
  limit: Schema.optional(
    PositiveIntFromString(
      MAX_PAGE_LIMIT,
      `must be an integer from 1 to ${MAX_PAGE_LIMIT}`,
      `Items per page, from 1 to ${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT}).`
    )
  )
}

/** The page asked for, defaults applied. */
export const pageRequestOf = (params: { readonly page?: number | undefined; readonly limit?: number | undefined }): PageRequest => ({
  page: params.page ?? 1,
  limit: params.limit ?? DEFAULT_PAGE_LIMIT
})

/** A filter on a phone number: exact, so given in E.164. */
export const E164Param = Schema.String.pipe(
  Schema.pattern(/^\+[1-9]\d{7,14}$/, { message: () => "must be an E.164 phone number such as +14155550123" })
)

/** A filter on a timestamp: an ISO 8601 date or date-time. */
export const DateParam = Schema.Date.annotations({ description: "An ISO 8601 date or date-time." })

/** Whole or fractional seconds, finite and non-negative (a duration filter). */
export const SecondsParam = Schema.transform(
  Schema.String.pipe(
    Schema.pattern(/^[0-9]{1,10}(\.[0-9]{1,6})?$/, { message: () => "must be a number of seconds from 0 to 1000000000" })
  ).annotations({ description: "A duration in seconds, such as 30 or 2.5." }),
  Schema.Number.pipe(Schema.filter((n) => n <= 1e9 || "must be a number of seconds from 0 to 1000000000")),
  { strict: true, decode: (s) => Number(s), encode: (n) => String(n) }
)

/** Free text kept in a record (the reason of a removal): bounded, and no control characters. */
export const ReasonParam = Schema.String.pipe(
  Schema.maxLength(500, { message: () => "must be at most 500 characters" }),
  Schema.pattern(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, { message: () => "must not contain control characters" })
).annotations({ description: "Why the lead was removed (kept in the removal's audit record), at most 500 characters." })
