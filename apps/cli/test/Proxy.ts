import { Effect } from "effect"
import * as http from "node:http"

/**
 * A real HTTP proxy in front of a real gateway, for the faults a network or a load balancer
 * brings: it forwards every request unless `decide` says otherwise, and records what it saw.
 */
export interface Seen {
  readonly method: string
  readonly path: string
  readonly body: string
  /** The `Idempotency-Key` it carried. */
  readonly idempotencyKey: string | undefined
  /** When it arrived (ms since the epoch), as the proxy saw it. */
  readonly at: number
}

export type Action =
  /** Pass it on and hand back the gateway's answer. */
  | { readonly _tag: "Forward" }
  /** Answer it here; the gateway never sees it. */
  | { readonly _tag: "Answer"; readonly status: number; readonly body: unknown; readonly headers?: Readonly<Record<string, string>> }
  /** Pass it on, let the gateway do it, then cut the connection: the answer is lost. */
  | { readonly _tag: "LoseAnswer" }
  /** Pass it on, and hand the answer back only after a while. */
  | { readonly _tag: "Delay"; readonly ms: number }

export const Forward: Action = { _tag: "Forward" }

export interface Proxy {
  readonly url: string
  readonly seen: ReadonlyArray<Seen>
}

export const startProxy = (upstream: string, decide: (request: Seen) => Action = () => Forward) =>
  Effect.acquireRelease(
    Effect.async<{ server: http.Server; proxy: Proxy }>((resume) => {
      const seen: Array<Seen> = []
      const server = http.createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const body = Buffer.concat(chunks)
          const request = { method: req.method ?? "GET", path: req.url ?? "/", body: body.toString("utf8"),
            idempotencyKey: req.headers["idempotency-key"] as string | undefined,
            at: Date.now()
          }
          seen.push(request)
          const action = decide(request)
          if (action._tag === "Answer") {
            res.writeHead(action.status, { "content-type": "application/json", ...action.headers })
            res.end(JSON.stringify(action.body))
            return
          }
          fetch(`${upstream}${request.path}`, {
            method: request.method,
            headers: {
              authorization: req.headers.authorization ?? "",
              ...(req.headers["content-type"] !== undefined ? { "content-type": req.headers["content-type"] } : {}),
              ...(req.headers["idempotency-key"] !== undefined ? { "idempotency-key": req.headers["idempotency-key"] as string } : {})
            },
            ...(body.length > 0 ? { body } : {})
          }).then(async (answer) => {
            const payload = Buffer.from(await answer.arrayBuffer())
            if (action._tag === "LoseAnswer") return void req.socket.destroy()
            if (action._tag === "Delay") await new Promise((r) => setTimeout(r, action.ms))
            res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" })
            res.end(payload)
          }).catch(() => {
            if (!res.headersSent) res.writeHead(502)
            res.end()
          })
        })
      })
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({ server, proxy: { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen } })))
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ proxy }) => proxy))

/** The envelope of a gateway failure, as the gateway writes it. */
export const envelope = (statusCode: number, error: string, code: string, message: string | ReadonlyArray<string>) => ({
  statusCode,
  error,
  code,
  message
})

/** A load balancer's "come back in `seconds`": 503 with `Retry-After`, the gateway never asked. */
export const unavailableFor = (seconds: number): Action => ({
  _tag: "Answer",
  status: 503,
  headers: { "retry-after": String(seconds) },
  body: envelope(503, "Service Unavailable", "Unavailable", "Busy; try again shortly.")
})
