import type { Multipart } from "@effect/platform"
import { UploadResult } from "@leadq/api"
import type { Caller } from "@leadq/domain"
import { CampaignRepository, CampaignTerminal, isTerminal, LeadRepository, SuppressionRepository } from "@leadq/domain"
import type { Stream } from "effect"
import { Effect } from "effect"
import { GatewayMetrics } from "./GatewayMetrics.js"
import { LeadCsv } from "./LeadCsv.js"
import { streamCsvFile } from "./MultipartCsv.js"

/** At most this many suppressed rows are listed one by one in the answer. */
const MAX_SUPPRESSED_LISTED = 100

/**
 * A CSV upload into a campaign, all or nothing: the campaign checked before a byte of the file is
 * read, the one part named `file` streamed through the parser (LeadCsv.ts), every row added in
 * one write, and the answer counting what was added and skipped. A row whose number is
 * suppressed in the organization is skipped and reported by its row number (docs/api.md): the
 * person asked not to be called, the rest of the file is fine.
 */
export class LeadUpload extends Effect.Service<LeadUpload>()("leadq/gateway/LeadUpload", {
  effect: Effect.gen(function*() {
    const leads = yield* LeadRepository
    const campaigns = yield* CampaignRepository
    const suppressions = yield* SuppressionRepository
    const metrics = yield* GatewayMetrics

    const upload = Effect.fn("leadq/gateway/LeadUpload.upload")(function*(
      caller: Caller,
      campaignId: string,
      parts: Stream.Stream<Multipart.Part, Multipart.MultipartError>
    ) {
      // Before reading a byte of the file: is there such a campaign, and does it take leads?
      const campaign = yield* campaigns.get(caller.organization_id, campaignId)
      if (isTerminal(campaign.status)) return yield* Effect.fail(CampaignTerminal.of(campaign.id, campaign.status))
      const csv = new LeadCsv()
      yield* streamCsvFile(parts, csv)
      const { drafts, rows, skipped } = yield* csv.finish()
      const suppressed = yield* suppressions.activeAmong(caller.organization_id, drafts.map((d) => d.phone_number))
      const kept = suppressed.size === 0 ? drafts : drafts.filter((d) => !suppressed.has(d.phone_number))
      const suppressedRows = suppressed.size === 0
        ? []
        : drafts.flatMap((d, i) => (suppressed.has(d.phone_number) ? [{ row: rows[i]!, phone_number: d.phone_number }] : []))
      const created = yield* leads.addMany(caller.organization_id, campaign.id, kept)
      metrics.countUploaded(created)
      const s = (n: number) => (n === 1 ? "" : "s")
      return new UploadResult({
        campaign_id: campaign.id,
        leads_created: created,
        leads_skipped: skipped + suppressedRows.length,
        ...(suppressedRows.length > 0
          ? {
            skipped_rows: suppressedRows.slice(0, MAX_SUPPRESSED_LISTED).map(({ phone_number, row }) => ({
              row,
              phone_number,
              reason: "suppressed" as const
            }))
          }
          : {}),
        message: `${created} lead${s(created)} added to the campaign; ${skipped} row${s(skipped)} without a phone number skipped` +
          (suppressedRows.length > 0 ? `; ${suppressedRows.length} row${s(suppressedRows.length)} with a suppressed number skipped.` : ".")
      })
    })

    return { upload }
  })
}) {}
