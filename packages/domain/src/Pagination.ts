import { Schema } from "effect"

export const MAX_PAGE_LIMIT = 100
export const DEFAULT_PAGE_LIMIT = 20

export interface PageRequest {
  readonly page: number
  readonly limit: number
}

export class PageMeta extends Schema.Class<PageMeta>("PageMeta")({
  page: Schema.Int,
  limit: Schema.Int,
  total: Schema.Int,
  totalPages: Schema.Int
}) {}

export interface Page<A> {
  readonly data: ReadonlyArray<A>
  readonly meta: PageMeta
}

export const pageMeta = (req: PageRequest, total: number): PageMeta =>
  new PageMeta({ page: req.page, limit: req.limit, total, totalPages: Math.ceil(total / req.limit) })

export const pageOffset = (req: PageRequest): number => (req.page - 1) * req.limit

/** The wire shape `{data, meta}` of a list of `item`. */
export const PageOf = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.Struct({ data: Schema.Array(item), meta: PageMeta })
