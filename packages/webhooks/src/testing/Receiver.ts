import { Effect } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

/** One request a test receiver got: the headers leadq sends and the raw body. */
export interface Received {
  readonly path: string
  readonly body: string
  readonly signature: string
  readonly event_id: string
  readonly event_type: string
  readonly at: number
}

export type Reply = { readonly status: number; readonly delay_ms?: number }

/**
 * A real local HTTP receiver (node:http) for webhook tests and the benchmark: it records every
 * request and answers as `reply` says at the time — a status, after an optional delay; `down`
 * closes connections without answering. `concurrent` is the most requests it held at once per
 * path (two dispatchers must never send one endpoint's events at the same time).
 */
export const startReceiver = (initial: Reply | "down" = { status: 200 }) =>
  Effect.acquireRelease(
    Effect.async<{
      readonly url: (path: string) => string
      readonly received: Array<Received>
      readonly setReply: (reply: Reply | "down" | ((r: Received) => Reply | "down")) => void
      readonly maxConcurrent: (path: string) => number
    }>((resume) => {
      const received: Array<Received> = []
      let reply: Reply | "down" | ((r: Received) => Reply | "down") = initial
      const inFlight = new Map<string, number>()
      const peak = new Map<string, number>()
      const server = http.createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const path = req.url ?? "/"
          const r: Received = {
            path,
            body: Buffer.concat(chunks).toString("utf8"),
            signature: String(req.headers["leadq-signature"] ?? ""),
            event_id: String(req.headers["leadq-event-id"] ?? ""),
            event_type: String(req.headers["leadq-event-type"] ?? ""),
            at: Date.now()
          }
          const now = typeof reply === "function" ? reply(r) : reply
          if (now === "down") {
            req.socket.destroy()
            return
          }
          const n = (inFlight.get(path) ?? 0) + 1
          inFlight.set(path, n)
          peak.set(path, Math.max(peak.get(path) ?? 0, n))
          const answer = () => {
            inFlight.set(path, (inFlight.get(path) ?? 1) - 1)
            // Recorded only when answered 2xx: what the receiver "has".
            if (now.status >= 200 && now.status < 300) received.push(r)
            res.writeHead(now.status, { "content-type": "text/plain" }).end(now.status >= 300 ? "not now" : "ok")
          }
          if (now.delay_ms !== undefined && now.delay_ms > 0) setTimeout(answer, now.delay_ms)
          else answer()
        })
      })
      server.keepAliveTimeout = 60_000
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as AddressInfo).port
        resume(Effect.succeed({
          server,
          url: (path: string) => `http://127.0.0.1:${port}${path}`,
          received,
          setReply: (r: Reply | "down" | ((r: Received) => Reply | "down")) => {
            reply = r
          },
          maxConcurrent: (path: string) => peak.get(path) ?? 0
        }))
      })
    }),
    (receiver) =>
      Effect.async<void>((resume) => {
        const server = (receiver as unknown as { server: http.Server }).server
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )
