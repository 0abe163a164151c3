import { Effect } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

/** What the server saw: one entry per request, in arrival order, with its arrival time. */
export interface Seen {
  readonly method: string
  readonly url: string
  readonly at: number
  readonly headers: http.IncomingHttpHeaders
}

/** What to do with the n-th request (from 0): answer, or hold it without answering. */
export type Reply =
  | { readonly status: number; readonly body?: unknown; readonly headers?: Readonly<Record<string, string>> }
  | "hang"

/**
 * A real `node:http` server that answers from a script: a 503 twice then a 200, a 429 with
 * `Retry-After`, nothing at all. It records every request it receives, so a test asserts on
 * what reached the server rather than on what the client believes it sent.
 */
export const misbehavingServer = (script: (n: number, request: Seen) => Reply) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly seen: Array<Seen>; readonly server: http.Server }>((resume) => {
      const seen: Array<Seen> = []
      const server = http.createServer((req, res) => {
        const entry: Seen = { method: req.method ?? "?", url: req.url ?? "?", at: Date.now(), headers: req.headers }
        const n = seen.length
        seen.push(entry)
        req.resume()
        req.on("end", () => {
          const reply = script(n, entry)
          if (reply === "hang") return
          const body = reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body)
          res.writeHead(reply.status, {
            "content-type": typeof reply.body === "string" ? "text/plain" : "application/json",
            ...reply.headers
          })
          res.end(body)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, seen, server }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

/** A port that was free a moment ago and has nobody listening on it now. */
export const closedPort = Effect.async<number>((resume) => {
  const server = http.createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** Milliseconds between consecutive arrivals. */
export const gaps = (seen: ReadonlyArray<Seen>) => seen.slice(1).map((s, i) => s.at - seen[i]!.at)
