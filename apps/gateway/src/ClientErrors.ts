import type { ApiFailure } from "@leadq/api"
import { HeadersTooLarge, reasonPhrase, RequestTimeout, STATUS_OF, toEnvelope } from "@leadq/api"
import { InvalidInput } from "@leadq/domain"
import type * as Http from "node:http"
import type { Duplex } from "node:stream"

/**
 * Requests that Node's HTTP parser refuses before any route runs (headers over the limit, a
 * request line or header that is not HTTP, a request too slow to arrive). Node would answer them
 * with a bare status line; they get the error envelope like every other failure.
 */
const failureOf = (code: string | undefined): ApiFailure => {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return HeadersTooLarge.instance
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return RequestTimeout.instance
    default:
      return InvalidInput.of(["request: is not valid HTTP/1.1"])
  }
}

export const answerClientErrors = (server: Http.Server): void => {
  server.on("clientError", (error: Error & { readonly code?: string }, socket: Duplex) => {
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy()
      return
    }
    const failure = failureOf(error.code)
    const status = STATUS_OF[failure._tag]
    const body = JSON.stringify(toEnvelope(failure))
    socket.end(
      `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n` +
        "Content-Type: application/json\r\n" +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        "Connection: close\r\n\r\n" +
        body
    )
  })
}
