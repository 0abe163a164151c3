/** One request as the fuzzer sends it: raw path and bytes, so that anything a client could send can be sent. */
export interface FuzzRequest {
  /** The operation of the OpenAPI document it was made for (or `method-confusion`, `tenancy`, …). */
  readonly operation: string
  readonly method: string
  /** Already encoded (possibly badly, on purpose). */
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: Buffer | undefined
  /** Sent with `Transfer-Encoding: chunked` instead of a Content-Length. */
  readonly chunked?: boolean | undefined
  /** Bind the client socket to this loopback address (127.0.0.x): another client address. */
  readonly localAddress?: string | undefined
}

export interface FuzzResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: Buffer
}

/** A short, printable account of a request, for a finding. */
export const describeRequest = (r: FuzzRequest): string => {
  const body = r.body === undefined
    ? ""
    : ` body(${r.body.length} B)=${JSON.stringify(r.body.subarray(0, 300).toString("latin1"))}${r.body.length > 300 ? "…" : ""}`
  const headers = Object.entries(r.headers)
    .map(([k, v]) => `${k}: ${v.length > 80 ? v.slice(0, 80) + "…" : v}`)
    .join("; ")
  return `${r.method} ${r.path.length > 300 ? r.path.slice(0, 300) + "…" : r.path} [${headers}]${r.chunked ? " chunked" : ""}${body}`
}
