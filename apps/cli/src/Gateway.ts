import type { LeadqClient } from "@leadq/transport"
import { Effect, Option } from "effect"
import type { ConnectionFlags } from "./Connection.js"
import { clientLayer } from "./Connection.js"
import { Output } from "./Output.js"
import { UsageError } from "./UsageError.js"

/** Run a command's program with the client of the configured gateway and the chosen output. */
export const withGateway = <A, E, R>(flags: ConnectionFlags, program: Effect.Effect<A, E, R>) =>
  Effect.flatMap(clientLayer(flags), (client) =>
    program.pipe(
      Effect.provide(client),
      Effect.provide(Output.layer(flags.json)),
      // Nothing exports traces from the CLI: spans would only cost CPU on every request.
      Effect.withTracerEnabled(false)
    )) as Effect.Effect<
      A,
      E | UsageError,
      Exclude<R, LeadqClient | Output>
    >

/** Paging flags of every list: one page (`--page`, `--limit`) or every page (`--all`). */
export interface PageFlags {
  readonly page: Option.Option<number>
  readonly limit: Option.Option<number>
  readonly all: boolean
}

export interface Paging {
  readonly all: boolean
  readonly page: number
  readonly limit: number
}

export const pagingOf = (flags: PageFlags): Effect.Effect<Paging, UsageError> => {
  const page = Option.getOrElse(flags.page, () => 1)
  const limit = Option.getOrElse(flags.limit, () => 20)
  if (page < 1) return Effect.fail(new UsageError({ message: `--page must be 1 or more, got ${page}.` }))
  if (limit < 1 || limit > 100) return Effect.fail(new UsageError({ message: `--limit must be from 1 to 100, got ${limit}.` }))
  if (flags.all && (Option.isSome(flags.page) || Option.isSome(flags.limit))) {
    return Effect.fail(new UsageError({ message: "--all reads every page: leave out --page and --limit." }))
  }
  return Effect.succeed({ all: flags.all, page, limit: flags.all ? 100 : limit })
}

/** A string flag, trimmed, when it was given and is not blank. */
export const given = (flag: Option.Option<string>): string | undefined =>
  Option.getOrUndefined(Option.filter(Option.map(flag, (s) => s.trim()), (s) => s !== ""))
