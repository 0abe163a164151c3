import type { Page } from "@leadq/domain"
import { Effect, Option, Stream } from "effect"

/**
 * Every page of a list, one after the other, as a stream: `fetch(1)`, `fetch(2)`, … until the
 * last page (by `meta.totalPages`) or an empty one. Pages are fetched as the stream is pulled,
 * so `Stream.take` or an early failure stops the requests.
 *
 * Lists are paged by number, so a list that changes while it is read may shift under the
 * reader: an item removed from an earlier page moves the others back by one, and one of them
 * is then not seen. Read a list that you are changing (removing leads while listing them) in
 * full first, or filter on what does not change.
 *
 * ```ts
 * pages((page) => client.leads.list({ urlParams: { campaign_id, page, limit: 100 } }))
 * ```
 */
export const pages = <A, E, R>(fetch: (page: number) => Effect.Effect<Page<A>, E, R>): Stream.Stream<Page<A>, E, R> =>
  Stream.paginateEffect(1, (page: number) =>
    Effect.map(fetch(page), (result) =>
      [
        result,
        result.data.length > 0 && result.meta.page < result.meta.totalPages ? Option.some(page + 1) : Option.none<number>()
      ] as const))

/** Every item of every page, in order (see `pages`). */
export const items = <A, E, R>(fetch: (page: number) => Effect.Effect<Page<A>, E, R>): Stream.Stream<A, E, R> =>
  Stream.mapConcat(pages(fetch), (page) => page.data)
