import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { LeadqClient } from "@leadq/transport"
import { Effect, Layer, Option, Redacted } from "effect"
import { UsageError } from "./UsageError.js"

/** The flags every command that talks to a gateway takes. */
export interface ConnectionFlags {
  readonly url: Option.Option<string>
  readonly apiKey: Option.Option<Redacted.Redacted<string>>
  readonly json: boolean
}

export const DEFAULT_URL = "http://127.0.0.1:8080"
export const USER_AGENT = "leadq-cli/0.1.0"

const nonEmpty = (s: string | undefined) => (s === undefined || s.trim() === "" ? undefined : s.trim())

/**
 * The gateway and the key: `--url` / `--api-key` first, then `LEADQ_URL` / `LEADQ_API_KEY`; the
 * URL defaults to a local gateway, the key has no default. A missing key or a URL that is not
 * one is bad usage (exit 2), found before any request.
 */
export const clientLayer = (flags: ConnectionFlags): Effect.Effect<Layer.Layer<LeadqClient>, UsageError> =>
  Effect.gen(function*() {
    const url = Option.getOrElse(flags.url, () => nonEmpty(process.env["LEADQ_URL"]) ?? DEFAULT_URL)
    let parsed: URL | undefined
    try {
      parsed = new URL(url)
    } catch {
      parsed = undefined
    }
    if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      return yield* new UsageError({
        message: `The gateway URL must be http:// or https://, got "${url}".`,
        hint: "Set LEADQ_URL or pass --url, e.g. --url http://127.0.0.1:8080."
      })
    }
    const key = Option.orElse(flags.apiKey, () => Option.map(Option.fromNullable(nonEmpty(process.env["LEADQ_API_KEY"])), Redacted.make))
    if (Option.isNone(key) || Redacted.value(key.value).trim() === "") {
      return yield* new UsageError({
        message: "No API key.",
        hint: "Set LEADQ_API_KEY or pass --api-key. Create one with: leadq keys create --org NAME"
      })
    }
    // undici's own request API rather than fetch: the same keep-alive pool, a fraction of the
    // CPU per request (what bounds `remove-many` on a small machine).
    return LeadqClient.layerWithoutHttpClient({ baseUrl: url, apiKey: key.value, userAgent: USER_AGENT }).pipe(
      Layer.provide(NodeHttpClient.layerUndici)
    )
  })
