import { CarrierEvents } from "@leadq/domain"
import { SIGNATURE_HEADER, verifyCallEnded } from "@leadq/telephony"
import { Effect, Runtime } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

/**
 * Stands in for the gateway's `POST /v1/carrier/webhooks/call-ended` in the worker's own tests:
 * the same two steps — `verifyCallEnded` over the raw body, then `CarrierEvents.recordEnded` —
 * behind a real listening server. A rejected webhook records nothing.
 */
export const startWebhookReceiver = (secret: string) =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<CarrierEvents>()
    const run = Runtime.runPromise(runtime)
    const server = yield* Effect.acquireRelease(
      Effect.async<http.Server>((resume) => {
        const server = http.createServer((req, res) => {
          const chunks: Array<Buffer> = []
          req.on("data", (c: Buffer) => chunks.push(c))
          req.on("end", () => {
            const raw = Buffer.concat(chunks).toString("utf8")
            const header = req.headers[SIGNATURE_HEADER]
            const verified = verifyCallEnded(secret, raw, typeof header === "string" ? header : undefined)
            if (verified._tag === "Left") {
              res.writeHead(verified.left.reason === "bad_payload" ? 400 : 401, { "content-type": "application/json" })
              res.end(JSON.stringify({ message: verified.left.message }))
              return
            }
            run(Effect.flatMap(CarrierEvents, (e) => e.recordEnded(verified.right.providerCallId, verified.right.outcome))).then(
              () => {
                res.writeHead(200, { "content-type": "application/json" })
                res.end(JSON.stringify({ received: true }))
              },
              () => {
                res.writeHead(500)
                res.end()
              }
            )
          })
        })
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) => Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
    )
    const { port } = server.address() as AddressInfo
    const url = `http://127.0.0.1:${port}/v1/carrier/webhooks/call-ended`
    const post = (body: string, signature?: string) =>
      Effect.promise(() =>
        fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...(signature === undefined ? {} : { [SIGNATURE_HEADER]: signature }) },
          body
        }).then((r) => r.status)
      )
    return { url, post }
  })
