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

const PositiveIntFromString = (max: number, what: string) =>
  Schema.NumberFromString.pipe(
    Schema.filter((n) => (Number.isInteger(n) && n >= 1 && n <= max) || what)
  )

/**
 * `?page=1&limit=20`: page from 1, limit from 1 to 100. Both optional (a client need not send
 * them); the gateway applies the defaults with `pageRequestOf`.
 */
export const PageParams = {
  page: Schema.optional(
    PositiveIntFromString(1_000_000, "must be an integer from 1 to 1000000").annotations({ description: "Page number, from 1 (default 1)." })
  ),
  limit: Schema.optional(
    PositiveIntFromString(MAX_PAGE_LIMIT, `must be an integer from 1 to ${MAX_PAGE_LIMIT}`).annotations({
      description: `Items per page, from 1 to ${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT}).`
    })
  )
}

/** The page asked for, defaults applied. */
export const pageRequestOf = (params: { readonly page?: number | undefined; readonly limit?: number | undefined }): PageRequest => ({
  page: params.page ?? 1,
  limit: params.limit ?? DEFAULT_PAGE_LIMIT
})

/** A filter on a timestamp: an ISO 8601 date or date-time. */
export const DateParam = Schema.Date.annotations({ description: "An ISO 8601 date or date-time." })

/** Whole or fractional seconds, finite and non-negative (a duration filter). */
export const SecondsParam = Schema.NumberFromString.pipe(
  Schema.filter((n) => (Number.isFinite(n) && n >= 0 && n <= 1e9) || "must be a number of seconds from 0 to 1000000000")
)

/** Free text kept in a record (the reason of a removal): bounded, and no control characters. */
export const ReasonParam = Schema.String.pipe(
  Schema.maxLength(500, { message: () => "must be at most 500 characters" }),
  Schema.pattern(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, { message: () => "must not contain control characters" })
).annotations({ description: "Why the lead was removed (kept in the removal's audit record), at most 500 characters." })
