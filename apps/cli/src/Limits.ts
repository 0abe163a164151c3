/**
 * The CLI's own bounds and defaults, shared by the flags that enforce them (`Cli.ts`) and the
 * commands that rely on them. Bounds that belong to the contract (a campaign's fields, the size
 * of a bulk removal) are checked against `@leadq/domain` in the command modules instead.
 */

/** `call-logs follow` reads the newest logs this many at a time: what changes between two polls of a busy gateway fits. */
export const FOLLOW_WINDOW = 100

/** `leads remove-many`: requests in flight at once (each a batch), enough to keep the gateway busy while the CLI reads an answer. */
export const DEFAULT_CONCURRENCY = 4
export const MAX_CONCURRENCY = 256
/** `leads remove-many`: entries per request (the gateway takes up to 1,000). */
export const DEFAULT_BATCH_SIZE = 500
