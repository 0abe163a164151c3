import * as http from "node:http"
import type { FuzzRequest, FuzzResponse } from "./FuzzRequest.js"

/**
 * Sends a fuzzed request with `node:http`, exactly as built (path bytes, headers, body, chunked or
 * not), on a fresh connection, and reads the whole answer. Resolves `undefined` when the request
 * could not even be sent (the client library refuses a header value) — that request never
 * reached the gateway. A connection closed without an answer is an error: the gateway must answer.
 */
export const send = (baseUrl: string, request: FuzzRequest, timeoutMs = 15_000): Promise<FuzzResponse | undefined> =>
  new Promise((resolve, reject) => {
    const base = new URL(baseUrl)
    let req: http.ClientRequest
    try {
      req = http.request({
        host: base.hostname,
        port: base.port,
        method: request.method,
        path: request.path,
        headers: request.chunked || request.body === undefined
          ? { ...request.headers }
          : { ...request.headers, "content-length": String(request.body.length) },
        agent: false,
        ...(request.localAddress === undefined ? {} : { localAddress: request.localAddress }),
        timeout: timeoutMs
      })
    } catch {
      return resolve(undefined)
    }
    let answered = false
    req.on("response", (res) => {
      answered = true
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
      res.on("error", reject)
    })
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on("error", (e) => {
      // The server may answer (413) and close before the whole body is sent: the answer counts.
      if ((e as NodeJS.ErrnoException).code === "EPIPE" || (e as NodeJS.ErrnoException).code === "ECONNRESET") {
        if (!answered) setTimeout(() => (answered ? undefined : reject(e)), 200)
        return
      }
      reject(e)
    })
    try {
      if (request.body !== undefined) {
        if (request.chunked) {
          // Several chunks, cut at arbitrary places (even inside a UTF-8 sequence).
          const step = Math.max(1, Math.ceil(request.body.length / 3))
          for (let i = 0; i < request.body.length; i += step) req.write(request.body.subarray(i, i + step))
        } else {
          req.write(request.body)
        }
      }
      req.end()
    } catch {
      req.destroy()
      resolve(undefined)
    }
  })
