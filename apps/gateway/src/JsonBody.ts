import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import { Effect } from "effect"

/**
 * The body of a JSON request, read by the gateway itself before any route runs (it checks the
 * text for NUL characters and absurd nesting first), and handed to the route through the request,
 * so nobody reads the socket twice.
 *
 * Over the limit, the rest of the body is still read and thrown away (up to `drainBytes`) before
 * the 413 goes out: a client that sends its whole body before reading the answer then gets that
 * answer, instead of a connection cut under it. (The platform's own reader destroys the socket the
 * moment the limit is passed, so a chunked body over the limit saw no answer at all.)
 */
export type JsonText =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "TooLarge" }
  | { readonly _tag: "Unreadable" }

/** The body's bytes, read the same way (a multipart upload with an `Idempotency-Key` is read so too). */
export type BodyBytes =
  | { readonly _tag: "Bytes"; readonly bytes: Buffer }
  | { readonly _tag: "TooLarge" }
  | { readonly _tag: "Unreadable" }

export const readBodyBytes = (
  request: HttpServerRequest.HttpServerRequest,
  limitBytes: number,
  drainBytes: number
): Effect.Effect<BodyBytes> =>
  Effect.async<BodyBytes>((resume) => {
    const incoming = NodeHttpServerRequest.toIncomingMessage(request)
    const chunks: Array<Buffer> = []
    let kept = 0
    let seen = 0
    let over = false
    const finish = (result: BodyBytes) => {
      cleanup()
      resume(Effect.succeed(result))
    }
    const onData = (chunk: Buffer) => {
      seen += chunk.length
      if (!over) {
        kept += chunk.length
        if (kept > limitBytes) {
          over = true
          chunks.length = 0
        } else chunks.push(chunk)
      }
      // Past this much, answer now: a client that never stops sending is not owed a drain.
      if (seen > drainBytes) finish({ _tag: "TooLarge" })
    }
    const onEnd = () => finish(over ? { _tag: "TooLarge" } : { _tag: "Bytes", bytes: Buffer.concat(chunks) })
    const onAbort = () => finish({ _tag: "Unreadable" })
    const cleanup = () => {
      incoming.off("data", onData)
      incoming.off("end", onEnd)
      incoming.off("error", onAbort)
      incoming.off("aborted", onAbort)
    }
    if (incoming.readableEnded) return resume(Effect.succeed({ _tag: "Bytes", bytes: Buffer.alloc(0) }))
    incoming.on("data", onData)
    incoming.once("end", onEnd)
    incoming.once("error", onAbort)
    incoming.once("aborted", onAbort)
    return Effect.sync(cleanup)
  })

export const readJsonText = (
  request: HttpServerRequest.HttpServerRequest,
  limitBytes: number,
  drainBytes: number
): Effect.Effect<JsonText> =>
  Effect.map(
    readBodyBytes(request, limitBytes, drainBytes),
    (body): JsonText => body._tag === "Bytes" ? { _tag: "Text", text: body.bytes.toString("utf8") } : body
  )

/**
 * The same request, its body already read: `text`, `json` and `urlParamsBody` answer from the
 * text instead of reading the (consumed) socket again.
 */
export const withBodyText = (
  request: HttpServerRequest.HttpServerRequest,
  text: string
): HttpServerRequest.HttpServerRequest => {
  const read = Effect.succeed(text)
  const json = Effect.suspend(() => {
    try {
      return Effect.succeed(text === "" ? null : JSON.parse(text) as unknown)
    } catch (cause) {
      // The same failure the platform's reader raises, so it is answered the same way (a 400).
      return Effect.die({ _tag: "RequestError", reason: "Decode", cause })
    }
  })
  return Object.create(request, {
    text: { value: read },
    json: { value: json },
    arrayBuffer: { value: Effect.sync(() => new TextEncoder().encode(text).buffer as ArrayBuffer) }
  }) as HttpServerRequest.HttpServerRequest
}
