import type { LeadqClient } from "@leadq/transport"
import { Effect, Option } from "effect"
import type { ConnectionFlags } from "./Connection.js"
import { clientLayer } from "./Connection.js"
import { Output } from "./Output.js"
import { UsageError } from "./UsageError.js"

/** Run a command's program with the client of the configured gateway and the chosen output. */
export const withGateway = <A, E, R>(flags: ConnectionFlags, program: Effect.Effect<A, E, R>) =>
  program.pipe(
    Effect.provide(clientLayer(flags)),
    Effect.provide(Output.layer(flags.json)),
    // Nothing exports traces from the CLI: spans would only cost CPU on every request.
    Effect.withTracerEnabled(false)
  ) as Effect.Effect<A, E, Exclude<R, LeadqClient | Output>>

/** Flags of a command about one resource (`get`, `pause`, `remove`, …): the connection and its id. */
export interface IdFlags extends ConnectionFlags {
  readonly id: string
}

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

/** Bounds are checked by the flags themselves (`Cli.ts`); what is left is the defaults and `--all`. */
export const pagingOf = (flags: PageFlags): Effect.Effect<Paging, UsageError> => {
  if (flags.all && (Option.isSome(flags.page) || Option.isSome(flags.limit))) {
    return Effect.fail(new UsageError({ message: "--all reads every page: leave out --page and --limit." }))
  }
  return Effect.succeed({ all: flags.all, page: Option.getOrElse(flags.page, () => 1), limit: flags.all ? 100 : Option.getOrElse(flags.limit, () => 20) })
}

/** A string flag, trimmed, when it was given and is not blank. */
export const given = (flag: Option.Option<string>): string | undefined =>
  Option.getOrUndefined(Option.filter(Option.map(flag, (s) => s.trim()), (s) => s !== ""))
