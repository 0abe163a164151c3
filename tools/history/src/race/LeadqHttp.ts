import { Effect } from "effect"
import type { Answer } from "../Recorder.js"

export interface HttpAnswer {
  readonly status: number
  readonly body: unknown
}

/**
 * A plain `fetch` client of the public API, as an outside client sees it: a request either gets
 * an answer (any status) or fails (connection reset, timeout) — and then we cannot know whether
 * it happened.
 */
export const makeLeadqHttp = (baseUrl: string, apiKey: string, timeoutMs = 10_000) => {
  const request = (method: string, path: string, body?: unknown) =>
    Effect.tryPromise({
      try: async (): Promise<HttpAnswer> => {
        const response = await fetch(baseUrl + path, {
          method,
          headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(timeoutMs)
        })
        const text = await response.text()
        let parsed: unknown = text
        try {
          parsed = text === "" ? null : JSON.parse(text)
        } catch {
          // Not JSON: kept as text.
        }
        return { status: response.status, body: parsed }
      },
      catch: (cause) => cause
    })
  return { request }
}
export type LeadqHttp = ReturnType<typeof makeLeadqHttp>

/** 2xx happened; 4xx did not; 5xx or no answer may or may not have. */
export const answerOf = (a: HttpAnswer): Answer =>
  a.status >= 200 && a.status < 300
    ? { outcome: "ok", status: a.status }
    : a.status >= 400 && a.status < 500
    ? { outcome: "fail", status: a.status }
    : { outcome: "unknown", status: a.status }
