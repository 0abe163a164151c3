import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as Multipart from "@effect/platform/Multipart"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import { InvalidInput } from "@leadq/domain"
import { Duration, Effect, Stream } from "effect"

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

/** Where the bytes of the uploaded CSV go as they arrive (`LeadCsv`, `SuppressionCsv`). */
export interface CsvSink {
  readonly feedBytes: (chunk: Uint8Array) => void
  readonly feedText: (text: string) => void
}

/**
 * Streams the one multipart part named `file` into `sink` (every CSV upload: leads,
 * suppressions), never holding the file whole. Other parts are drained; no `file` part, or two,
 * is a 400.
 */
export const streamCsvFile = (parts: Stream.Stream<Multipart.Part, Multipart.MultipartError>, sink: CsvSink) =>
  Effect.gen(function*() {
    let files = 0
    const consume = Stream.runForEach(parts, (part) => {
      if (part.key !== "file") return part._tag === "File" ? Stream.runDrain(part.content) : Effect.void
      files++
      if (files > 1) return part._tag === "File" ? Stream.runDrain(part.content) : Effect.void
      if (part._tag === "Field") return Effect.sync(() => sink.feedText(part.value))
      return Stream.runForEach(part.content, (chunk) => Effect.sync(() => sink.feedBytes(chunk)))
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
  })
