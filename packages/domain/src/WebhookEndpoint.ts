import { Schema } from "effect"
import { ApiKeyId, WebhookEndpointId } from "./Ids.js"
import type { WebhookEventType } from "./WebhookEvents.js"
import { WebhookEventType as WebhookEventTypeSchema } from "./WebhookEvents.js"

/**
 * An organization's webhook endpoint (docs/webhooks.md, "Endpoints"): where its events are sent,
 * which ones, and whether sending is on. The signing secret is shown once, in the answer to the
 * creation (`WebhookEndpointCreated`); no other answer carries it.
 */

export const WEBHOOK_URL_MAX = 2048
export const WEBHOOK_DESCRIPTION_MAX = 500

/**
 * Where events are POSTed: an absolute `http` or `https` URL with a host, without credentials
 * (a `user:password@` part would be a secret stored and shown in the clear; the signature is how
 * a receiver authenticates leadq) and without a fragment (never sent over HTTP).
 */
export const WebhookUrl = Schema.String.pipe(
  Schema.maxLength(WEBHOOK_URL_MAX, { message: () => `must be at most ${WEBHOOK_URL_MAX} characters` }),
  Schema.filter((s) => {
    let url: URL
    try {
      url = new URL(s)
    } catch {
      return "must be an absolute http or https URL, such as https://crm.example.com/leadq"
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") return `must be an http or https URL, got ${url.protocol.slice(0, -1)}`
    if (url.hostname === "") return "must name a host"
    if (url.username !== "" || url.password !== "") return "must not contain credentials (user:password@); verify the signature instead"
    if (url.hash !== "") return "must not contain a fragment (#…)"
    if (/[\s\u0000-\u001f\u007f]/.test(s)) return "must not contain spaces or control characters"
    return true
  })
).annotations({ identifier: "WebhookUrl", description: "An absolute http or https URL, without credentials; at most 2048 characters." })

/** The event types wanted: at least one, each known, none twice. */
export const WebhookEventList = Schema.Array(WebhookEventTypeSchema).pipe(
  Schema.minItems(1, { message: () => "must name at least one event type" }),
  Schema.filter((types) => {
    const seen = new Set<string>()
    for (const t of types) {
      if (seen.has(t)) return `names ${t} twice`
      seen.add(t)
    }
    return true
  })
).annotations({ identifier: "WebhookEventList", description: "The event types to send, at least one, each once." })

export const WebhookDescription = Schema.String.pipe(
  Schema.maxLength(WEBHOOK_DESCRIPTION_MAX, { message: () => `must be at most ${WEBHOOK_DESCRIPTION_MAX} characters` }),
  Schema.pattern(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, { message: () => "must not contain control characters" })
).annotations({ description: "A note for people (what the endpoint is for), at most 500 characters." })

const fields = {
  id: WebhookEndpointId,
  url: Schema.String,
  events: Schema.Array(WebhookEventTypeSchema),
  enabled: Schema.Boolean,
  description: Schema.NullOr(Schema.String),
  /** The API key that created it. */
  api_key_id: ApiKeyId,
  /** Events created from this instant on are sent to it. */
  created_at: Schema.Date,
  updated_at: Schema.Date
}

/** An endpoint as every answer but the creation's shows it: without its secret. */
export class WebhookEndpoint extends Schema.Class<WebhookEndpoint>("WebhookEndpoint")(fields) {}

/** The answer to `POST /v1/webhooks`: the endpoint and, this once, its signing secret. */
export class WebhookEndpointCreated extends Schema.Class<WebhookEndpointCreated>("WebhookEndpointCreated")({
  ...fields,
  /** The HMAC-SHA256 signing secret (docs/webhooks.md). Shown only here: keep it. */
  secret: Schema.String
}) {}

/** The answer to `DELETE /v1/webhooks/{id}`. */
export class WebhookEndpointDeleted extends Schema.Class<WebhookEndpointDeleted>("WebhookEndpointDeleted")({
  message: Schema.String,
  id: WebhookEndpointId,
  deleted_at: Schema.Date
}) {}

/** A new endpoint, validated. */
export interface WebhookEndpointDraft {
  readonly url: string
  readonly events: ReadonlyArray<WebhookEventType>
  readonly enabled: boolean
  readonly description: string | null
}

/** A change to an endpoint: absent fields stay; `description: null` clears it. */
export interface WebhookEndpointPatch {
  readonly url?: string | undefined
  readonly events?: ReadonlyArray<WebhookEventType> | undefined
  readonly enabled?: boolean | undefined
  readonly description?: string | null | undefined
}

/** The prefix of a signing secret, so one found in a log or a file is recognized for what it is. */
export const WEBHOOK_SECRET_PREFIX = "whsec_"
