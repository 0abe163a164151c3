import type { FuzzRequest, FuzzResponse } from "./FuzzRequest.js"

/**
 * What every answer must be, whatever was sent (docs/design.md §2 and 8): never a 5xx; a failure
 * in the error envelope `{statusCode, message, error, code}` as JSON with `statusCode` equal to the
 * HTTP status; no stack trace or source path anywhere in a body. Returns the problems found.
 */
const STACK = /\n\s+at\s|node_modules|\/work\/|\.ts:\d+|\.js:\d+:\d+|file:\/\//

export const problemsOf = (request: FuzzRequest, response: FuzzResponse): ReadonlyArray<string> => {
  const out: Array<string> = []
  const text = response.body.toString("utf8")
  if (response.status >= 500) out.push(`answered ${response.status}`)
  if (STACK.test(text)) out.push("a stack trace or source path in the body")
  if (response.status >= 400 && request.method !== "HEAD") {
    const type = String(response.headers["content-type"] ?? "")
    if (!type.startsWith("application/json")) out.push(`a ${response.status} with Content-Type "${type}", not JSON`)
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      out.push(`a ${response.status} whose body is not JSON: ${JSON.stringify(text.slice(0, 200))}`)
      return out
    }
    const e = parsed as { statusCode?: unknown; message?: unknown; error?: unknown }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) out.push("the error body is not an object")
    else {
      if (e.statusCode !== response.status) out.push(`envelope statusCode ${String(e.statusCode)} ≠ HTTP ${response.status}`)
      const messageOk = typeof e.message === "string"
        ? e.message.length > 0
        : Array.isArray(e.message) && e.message.length > 0 && e.message.every((m) => typeof m === "string")
      if (!messageOk) out.push(`envelope message is not a string or a list of strings: ${JSON.stringify(e.message)}`)
      if (typeof e.error !== "string" || e.error === "") out.push(`envelope error is not a string: ${JSON.stringify(e.error)}`)
    }
  }
  if (response.status === 409 && /"code":"IdempotencyKeyInUse"/.test(text)) {
    const after = Number(response.headers["retry-after"])
    if (!Number.isInteger(after) || after < 1) out.push(`409 IdempotencyKeyInUse without a valid Retry-After (${String(response.headers["retry-after"])})`)
  }
  if (response.status === 429) {
    const after = Number(response.headers["retry-after"])
    if (!Number.isInteger(after) || after < 1) out.push(`429 without a valid Retry-After (${String(response.headers["retry-after"])})`)
  }
  return out
}

/**
 * A request that must leave the database as it was: it was refused, it only reads, or it is a
 * replay of an earlier answer under its `Idempotency-Key` (docs/api.md §12). (The key's own row,
 * `idempotency_keys`, is not among the tables compared: a refused keyed request stores its answer.)
 */
export const mustNotChange = (request: FuzzRequest, response: FuzzResponse): boolean =>
  response.status >= 400 || response.status === 304 || ["GET", "HEAD", "OPTIONS"].includes(request.method) ||
  response.headers["idempotent-replayed"] === "true"
