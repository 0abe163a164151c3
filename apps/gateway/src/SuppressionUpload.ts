import type * as Multipart from "@effect/platform/Multipart"
import { SuppressionUploadResult } from "@leadq/api"
import type { Caller } from "@leadq/domain"
import { SuppressionRepository } from "@leadq/domain"
import type { Stream } from "effect"
import { Clock, Effect } from "effect"
import { streamCsvFile } from "./MultipartCsv.js"
import { SuppressionCsv } from "./SuppressionCsv.js"

/** A CSV of numbers to suppress: streamed through `SuppressionCsv`, written in one transaction. */
export class SuppressionUpload extends Effect.Service<SuppressionUpload>()("leadq/gateway/SuppressionUpload", {
  effect: Effect.gen(function*() {
    const suppressions = yield* SuppressionRepository

    const upload = Effect.fn("leadq/gateway/SuppressionUpload.upload")(function*(
      caller: Caller,
      parts: Stream.Stream<Multipart.Part, Multipart.MultipartError>
    ) {
      const csv = new SuppressionCsv(yield* Clock.currentTimeMillis)
      yield* streamCsvFile(parts, csv)
      const { drafts, skipped } = yield* csv.finish()
      const { created, updated } = yield* suppressions.suppressMany(caller.organization_id, drafts, caller.api_key_id)
      return new SuppressionUploadResult({
        suppressed: created,
        updated,
        skipped,
        message: `${created} number${created === 1 ? "" : "s"} suppressed, ${updated} already suppressed (reason and expiry updated); ` +
          `${skipped} row${skipped === 1 ? "" : "s"} without a phone number skipped.`
      })
    })
    return { upload }
  })
}) {}
