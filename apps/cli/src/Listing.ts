import type { Page } from "@leadq/domain"
import { items } from "@leadq/transport"
import { Chunk, Effect, Stream } from "effect"
import type { Paging } from "./Gateway.js"
import type { Paint } from "./Output.js"
import { count, Output } from "./Output.js"

export interface ListingSpec<A, E, R> {
  readonly paging: Paging
  readonly fetch: (page: number, limit: number) => Effect.Effect<Page<A>, E, R>
  readonly headers: ReadonlyArray<string>
  readonly row: (item: A, paint: Paint) => ReadonlyArray<string>
  readonly json: (item: A) => unknown
  /** "campaigns", "leads", … */
  readonly noun: string
}

/**
 * One page, or every page (`--all`), as a table or as JSON lines. With `--json --all` each item
 * is written as soon as its page arrives, so a long list streams through a pipe.
 */
export const listing = <A, E, R>(spec: ListingSpec<A, E, R>): Effect.Effect<void, E, R | Output> =>
  Effect.gen(function*() {
    const output = yield* Output
    if (spec.paging.all) {
      const all = items((page) => spec.fetch(page, spec.paging.limit))
      if (output.json) return yield* Stream.runForEach(all, (item) => output.jsonLine(spec.json(item)))
      const collected = Chunk.toReadonlyArray(yield* Stream.runCollect(all))
      if (collected.length === 0) return yield* output.line(`No ${spec.noun}.`)
      yield* output.table(spec.headers, collected.map((item) => spec.row(item, output.paint)))
      return yield* output.note(`${count(collected.length)} ${spec.noun}.`)
    }
    const page = yield* spec.fetch(spec.paging.page, spec.paging.limit)
    if (output.json) return yield* Effect.forEach(page.data, (item) => output.jsonLine(spec.json(item)), { discard: true })
    if (page.data.length === 0) {
      return yield* output.line(page.meta.total === 0 ? `No ${spec.noun}.` : `No ${spec.noun} on page ${page.meta.page} (${count(page.meta.total)} in all).`)
    }
    yield* output.table(spec.headers, page.data.map((item) => spec.row(item, output.paint)))
    const more = page.meta.page < page.meta.totalPages ? ` Next: --page ${page.meta.page + 1}, or --all.` : ""
    yield* output.note(`Page ${page.meta.page} of ${page.meta.totalPages}, ${count(page.meta.total)} ${spec.noun} in all.${more}`)
  })
