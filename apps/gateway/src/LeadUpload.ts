import { HttpServerRequest } from "@effect/platform"
import type { Multipart } from "@effect/platform"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import { MAX_LISTED_SKIPS, SkippedRow, UploadResult } from "@leadq/api"
import type { Caller } from "@leadq/domain"
import { CampaignRepository, CampaignTerminal, InvalidInput, isTerminal, LeadRepository } from "@leadq/domain"
import { Duration, Effect, Stream } from "effect"
import { GatewayMetrics } from "./GatewayMetrics.js"
import { LeadCsv } from "./LeadCsv.js"

const TRUNCATED_MULTIPART_GRACE = Duration.seconds(2)

/** Completes when the request body has been read to its end. */
const bodyEnded = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
  Effect.async<void>((resume) => {
    const incoming = NodeHttpServerRequest.toIncomingMessage(request)
    if (incoming.readableEnded) return resume(Effect.void)
    const done = () => resume(Effect.void)
    incoming.once("end", done)
    incoming.once("close", done)
    return Effect.sync(() => {
      incoming.off("end", done)
      incoming.off("close", done)
    })
  }))

/**
 * A CSV upload into a campaign, all or nothing: the campaign checked before a byte of the file is
 * read, the one part named `file` streamed through the parser (LeadCsv.ts), every row added in
 * one write, and the answer counting what was added and skipped. A row whose number the campaign
 * already holds (or an earlier row has) is skipped by the store and listed, not an error: a
 * re-upload of a corrected file adds only what is new.
 */
export class LeadUpload extends Effect.Service<LeadUpload>()("leadq/gateway/LeadUpload", {
  effect: Effect.gen(function*() {
    const leads = yield* LeadRepository
    const campaigns = yield* CampaignRepository
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
      let files = 0
      const consume = Stream.runForEach(parts, (part) => {
        if (part.key !== "file") return part._tag === "File" ? Stream.runDrain(part.content) : Effect.void
        files++
        if (files > 1) return part._tag === "File" ? Stream.runDrain(part.content) : Effect.void
        if (part._tag === "Field") return Effect.sync(() => csv.feedText(part.value))
        return Stream.runForEach(part.content, (chunk) => Effect.sync(() => csv.feedBytes(chunk)))
      }).pipe(Effect.orDie)
      // A body that ends without its closing boundary leaves the multipart parser waiting for
      // ever: once the request body has ended, the parts get a moment to finish, no more.
      yield* Effect.raceFirst(
        consume,
        Effect.zipRight(bodyEnded, Effect.sleep(TRUNCATED_MULTIPART_GRACE)).pipe(
          Effect.zipRight(Effect.fail(InvalidInput.of(["body: is not valid multipart/form-data (it ends inside a part)"])))
        )
      )
      if (files === 0) return yield* Effect.fail(InvalidInput.of(["file: is required (a multipart part named file)"]))
      if (files > 1) return yield* Effect.fail(InvalidInput.of(["file: send one file per upload"]))
      const { drafts, rows, skipped } = yield* csv.finish()
      const added = yield* leads.addMany(caller.organization_id, campaign.id, drafts)
      metrics.countUploaded(added.created)
      const duplicates = added.skipped.length
      const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`
      return new UploadResult({
        campaign_id: campaign.id,
        leads_created: added.created,
        leads_skipped: skipped + duplicates,
        skipped: added.skipped.slice(0, MAX_LISTED_SKIPS).map((s) =>
          new SkippedRow({
            row: rows[s.index]!,
            phone_number: s.phone_number,
            reason: s.reason,
            ...(s.lead_id === null ? {} : { lead_id: s.lead_id })
          })
        ),
        skipped_unlisted: Math.max(0, duplicates - MAX_LISTED_SKIPS),
        message: `${plural(added.created, "lead")} added to the campaign; ${plural(skipped, "row")} without a phone number skipped` +
          (duplicates > 0 ? `; ${plural(duplicates, "row")} with a number the campaign already holds skipped.` : ".")
      })
    })

    return { upload }
  })
}) {}
