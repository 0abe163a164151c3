import { Either, ParseResult } from "effect"
import type { Schema } from "effect"
import { InvalidInput } from "./Errors.js"

/**
 * One readable line per problem, naming the field by its path: `retry_config.max_retries: must
 * be an integer from 0 to 4`. The gateway sends these as the `message` array of a 400.
 */
export const issuesOf = (error: ParseResult.ParseError): Array<string> =>
  issuesOfFormatted(ParseResult.ArrayFormatter.formatErrorSync(error))

/**
 * The same lines from issues already run through `ArrayFormatter` (what the HTTP platform keeps
 * of a request that failed to decode).
 */
export const issuesOfFormatted = (issues: ReadonlyArray<ParseResult.ArrayFormatterIssue>): Array<string> => {
  const all = issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue._tag === "Missing" ? "is required" : issue._tag === "Unexpected" ? "is not a known field" : issue.message
  }))
  // An optional or nullable field that fails also reports that it was not `undefined` or `null`
  // (the other members of its union): noise next to the real problem, so it is dropped.
  const noise = /^Expected (undefined|null), actual /
  const kept = all.filter((i) =>
    !noise.test(i.message) ||
    !all.some((o) => o !== i && !noise.test(o.message) && (o.path === i.path || o.path.startsWith(i.path + ".")))
  )
  return [...new Set(kept.map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`)))]
}

/** Decode unknown input into a domain value, or an `InvalidInput` listing every problem. */
export const validate = <A, I>(schema: Schema.Schema<A, I, never>, options?: { readonly exact?: boolean }) => {
  const decode = ParseResult.decodeUnknownEither(schema, {
    errors: "all",
    onExcessProperty: options?.exact === false ? "ignore" : "error"
  })
  return (input: unknown): Either.Either<A, InvalidInput> =>
    Either.mapLeft(decode(input), (issue) => InvalidInput.of(issuesOf(new ParseResult.ParseError({ issue }))))
}
