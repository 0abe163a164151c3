import type * as Multipart from "@effect/platform/Multipart"
import { MAX_LISTED_SKIPS, SkippedRow, UploadResult } from "@leadq/api"
import type { Caller, LeadDraft } from "@leadq/domain"
import { CampaignRepository, CampaignTerminal, isTerminal, LeadRepository, SuppressionRepository } from "@leadq/domain"
import type { Stream } from "effect"
import { Effect } from "effect"
import { GatewayMetrics } from "./GatewayMetrics.js"
import { LeadCsv } from "./LeadCsv.js"
import { streamCsvFile } from "./MultipartCsv.js"

/**
 * A CSV upload into a campaign, all or nothing: the campaign checked before a byte of the file is
 * read, the one part named `file` streamed through the parser (LeadCsv.ts), every row added in
 * one write, and the answer counting what was added and skipped. Rows are skipped, not errors,
 * and listed in one `skipped` list in file order: a row whose number is suppressed in the
 * organization (the person asked not to be called; looked up before the write), and a row whose
 * number the campaign already holds or an earlier row has (found by the store in its write, so a
 * re-upload of a corrected file adds only what is new).
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
      const kept: Array<LeadDraft> = []
      const keptRows: Array<number> = []
      const skippedRows: Array<SkippedRow> = []
      drafts.forEach((d, i) => {
        if (suppressed.has(d.phone_number)) {
          skippedRows.push(new SkippedRow({ row: rows[i]!, phone_number: d.phone_number, reason: "suppressed" }))
        } else {
          kept.push(d)
          keptRows.push(rows[i]!)
        }
      })
      const nSuppressed = skippedRows.length
      const added = yield* leads.addMany(caller.organization_id, campaign.id, kept)
      metrics.countUploaded(added.created)
      for (const s of added.skipped) {
        skippedRows.push(
          new SkippedRow({
            row: keptRows[s.index]!,
            phone_number: s.phone_number,
            reason: s.reason,
            ...(s.lead_id === null ? {} : { lead_id: s.lead_id })
          })
        )
      }
      // One list in file order, whatever the reason.
      if (nSuppressed > 0 && added.skipped.length > 0) skippedRows.sort((a, b) => a.row - b.row)
      const duplicates = added.skipped.length
      const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`
      return new UploadResult({
        campaign_id: campaign.id,
        leads_created: added.created,
        leads_skipped: skipped + skippedRows.length,
        skipped: skippedRows.slice(0, MAX_LISTED_SKIPS),
        skipped_unlisted: Math.max(0, skippedRows.length - MAX_LISTED_SKIPS),
        message: `${plural(added.created, "lead")} added to the campaign; ${plural(skipped, "row")} without a phone number skipped` +
          (duplicates > 0 ? `; ${plural(duplicates, "row")} with a number the campaign already holds skipped` : "") +
          (nSuppressed > 0 ? `; ${plural(nSuppressed, "row")} with a suppressed number skipped` : "") + "."
      })
    })

    return { upload }
  })
}) {}
