import { CallingWindow, RetryConfig } from "@leadq/domain"
import type { CampaignRow, LeadRow } from "./Rows.js"
import { num } from "./Sql.js"

/**
 * Trusted rows: the measured hot paths — the removal (single and bulk, and the API key check
 * every request makes first) and the worker's `claimDue`, `startDials`, `finishCalls` and
 * `renewLeases` — read rows WITHOUT the Schema decode of `Rows.ts`. At a thousand leads a second
 * a decode per row is a visible share of the CPU (tools/bench: worker-throughput,
 * remove-throughput), and these rows were validated on their way in (every write goes through
 * the domain's schemas). Every other path decodes.
 *
 * They are the same columns as `Rows.ts` describes, as the driver hands them over: JSON still as
 * text, integers to be read with `num` (see `Sql.ts`).
 */
export type TrustedLeadRow = Omit<LeadRow, "notes"> & { readonly notes: string }
export type TrustedCampaignRow = Omit<CampaignRow, "calling_window"> & { readonly calling_window: string | null }

/** Schema.Class's "disable validation" flag: see above for why these rows are trusted. */
const TRUSTED = true

export const windowOf = (json: string | null): CallingWindow | null =>
  json === null ? null : new CallingWindow(JSON.parse(json), TRUSTED)

export const retryConfigOf = (row: Pick<TrustedCampaignRow, "max_retries" | "retry_interval_minutes">) =>
  new RetryConfig({ max_retries: num(row.max_retries), retry_interval_minutes: num(row.retry_interval_minutes) }, TRUSTED)
