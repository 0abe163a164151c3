import { HttpApiBuilder, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import { CurrentCaller, LeadqApi, pageRequestOf, UploadResult } from "@leadq/api"
import { CampaignRepository, CampaignTerminal, InvalidInput, isTerminal, leadDraftOf, leadPatchOf, LeadRepository } from "@leadq/domain"
import { Duration, Effect, Stream } from "effect"
import { GatewayMetrics } from "../GatewayMetrics.js"
import { LeadCsv } from "../LeadCsv.js"

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

export const LeadsHandlers = HttpApiBuilder.group(LeadqApi, "leads", (handlers) =>
  Effect.gen(function*() {
    const leads = yield* LeadRepository
    const campaigns = yield* CampaignRepository
    const metrics = yield* GatewayMetrics

    return handlers
      .handle("create", ({ payload: { campaignId, ...input } }) =>
        Effect.gen(function*() {
          const caller = yield* CurrentCaller
          const draft = yield* leadDraftOf(input)
          return yield* leads.add(caller.organization_id, campaignId, draft)
        }))
      .handle("upload", ({ path, payload }) =>
        Effect.gen(function*() {
          const caller = yield* CurrentCaller
          // Before reading a byte of the file: is there such a campaign, and does it take leads?
          const campaign = yield* campaigns.get(caller.organization_id, path.campaignId)
          if (isTerminal(campaign.status)) return yield* Effect.fail(CampaignTerminal.of(campaign.id, campaign.status))
          const csv = new LeadCsv()
          let files = 0
          const consume = Stream.runForEach(payload, (part) => {
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
          const { drafts, skipped } = yield* csv.finish()
          const created = yield* leads.addMany(caller.organization_id, campaign.id, drafts)
          metrics.countUploaded(created)
          return new UploadResult({
            campaign_id: campaign.id,
            leads_created: created,
            leads_skipped: skipped,
            message: `${created} lead${created === 1 ? "" : "s"} added to the campaign; ${skipped} row${skipped === 1 ? "" : "s"} without a phone number skipped.`
          })
        }))
      .handle("list", ({ urlParams }) =>
        Effect.flatMap(CurrentCaller, (c) =>
          leads.list(c.organization_id, {
            ...pageRequestOf(urlParams),
            campaign_id: urlParams.campaign_id,
            status: urlParams.status,
            phone_number: urlParams.phone_number
          })))
      .handle("get", ({ path }) => Effect.flatMap(CurrentCaller, (c) => leads.get(c.organization_id, path.id)))
      .handle("update", ({ path, payload }) =>
        Effect.gen(function*() {
          const caller = yield* CurrentCaller
          const patch = yield* leadPatchOf(payload)
          return yield* leads.update(caller.organization_id, path.id, patch)
        }))
      .handle("removeMany", ({ payload }) =>
        Effect.flatMap(CurrentCaller, (c) =>
          Effect.map(
            leads.removeMany(
              c.organization_id,
              payload.lead_ids !== undefined
                ? { _tag: "LeadIds", lead_ids: payload.lead_ids }
                : { _tag: "PhoneNumbers", campaign_id: payload.campaign_id!, phone_numbers: payload.phone_numbers! },
              { api_key_id: c.api_key_id, reason: payload.reason }
            ),
            (result) => {
              for (const item of result.results) if (item.removed_from !== null) metrics.countRemoval(item.removed_from)
              return result
            }
          )))
      // docs/design.md §3, applied by the repository; the removal is counted by the state it was
      // removed from.
      .handle("remove", ({ path, urlParams }) =>
        Effect.flatMap(CurrentCaller, (c) =>
          Effect.map(leads.remove(c.organization_id, path.id, { api_key_id: c.api_key_id, reason: urlParams.reason }), (removal) => {
            metrics.countRemoval(removal.removed_from)
            // The hottest endpoint: its answer is plain JSON already (strings and a boolean), so it
            // is written directly rather than through a second, schema-driven encoding pass.
            return HttpServerResponse.unsafeJson(removal)
          })))
  }))
