import type { WebhookEventType } from "@leadq/domain"
import { WEBHOOK_EVENT_TYPES, WebhookEndpoint, WebhookEndpointCreated, WebhookEndpointDeleted } from "@leadq/domain"
import { LeadqClient } from "@leadq/transport"
import { Effect, Option, Schema } from "effect"
import type { ConnectionFlags } from "../Connection.js"
import type { PageFlags } from "../Gateway.js"
import { given, pagingOf, withGateway } from "../Gateway.js"
import { listing } from "../Listing.js"
import type { Paint } from "../Output.js"
import { clip, Output, when } from "../Output.js"
import { UsageError } from "../UsageError.js"

const encodeEndpoint = Schema.encodeSync(WebhookEndpoint)
const encodeCreated = Schema.encodeSync(WebhookEndpointCreated)
const encodeDeleted = Schema.encodeSync(WebhookEndpointDeleted)

const KNOWN: ReadonlySet<string> = new Set(WEBHOOK_EVENT_TYPES)

/** `--events lead.removed,call.ended`: each known, checked before anything is sent (bad usage, exit 2). */
const eventsOf = (text: string) => {
  const types = text.split(",").map((t) => t.trim()).filter((t) => t !== "")
  const unknown = types.filter((t) => !KNOWN.has(t))
  if (types.length === 0 || unknown.length > 0) {
    return Effect.fail(
      new UsageError({
        message: types.length === 0 ? "--events must name at least one event type." : `Unknown event type: ${unknown.join(", ")}.`,
        hint: `Event types: ${WEBHOOK_EVENT_TYPES.join(", ")}.`
      })
    )
  }
  return Effect.succeed(types as ReadonlyArray<WebhookEventType>)
}

const printEndpoint = (e: WebhookEndpoint, extra: ReadonlyArray<readonly [string, string]> = []) =>
  Effect.gen(function*() {
    const output = yield* Output
    yield* output.record([
      ["id", output.paint.bold(e.id)],
      ["url", e.url],
      ["events", e.events.join(", ")],
      ["enabled", e.enabled ? "yes" : "no"],
      ["description", e.description ?? ""],
      ["api key", e.api_key_id],
      ["created at", when(e.created_at)],
      ["updated at", when(e.updated_at)],
      ...extra
    ])
  })

const endpointRow = (e: WebhookEndpoint, _p: Paint) => [e.id, clip(e.url, 50), clip(e.events.join(","), 40), e.enabled ? "yes" : "no", when(e.created_at)]

export interface CreateFlags extends ConnectionFlags {
  readonly endpoint: string
  readonly events: string
  readonly description: Option.Option<string>
  readonly disabled: boolean
}

export const create = (flags: CreateFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const events = yield* eventsOf(flags.events)
    const description = given(flags.description)
    const leadq = yield* LeadqClient
    const created = yield* leadq.webhooks.create({
      payload: {
        url: flags.endpoint,
        events,
        ...(description !== undefined ? { description } : {}),
        ...(flags.disabled ? { enabled: false } : {})
      }
    })
    const output = yield* Output
    if (output.json) return yield* output.jsonLine(encodeCreated(created))
    yield* printEndpoint(created, [["secret", output.paint.bold(created.secret)]])
    yield* output.note("The signing secret is shown only now: store it where the receiver can verify signatures with it.")
  }))

export interface ListFlags extends ConnectionFlags, PageFlags {}

export const list = (flags: ListFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const leadq = yield* LeadqClient
    const paging = yield* pagingOf(flags)
    yield* listing({
      paging,
      noun: "webhook endpoints",
      fetch: (page, limit) => leadq.webhooks.list({ urlParams: { page, limit } }),
      headers: ["ID", "URL", "EVENTS", "ENABLED", "CREATED AT"],
      row: endpointRow,
      json: encodeEndpoint
    })
  }))

export interface IdFlags extends ConnectionFlags {
  readonly id: string
}

export const get = (flags: IdFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const leadq = yield* LeadqClient
    const endpoint = yield* leadq.webhooks.get({ path: { id: flags.id } })
    const output = yield* Output
    if (output.json) return yield* output.jsonLine(encodeEndpoint(endpoint))
    yield* printEndpoint(endpoint)
  }))

export interface UpdateFlags extends IdFlags {
  readonly endpoint: Option.Option<string>
  readonly events: Option.Option<string>
  readonly description: Option.Option<string>
  readonly clearDescription: boolean
  readonly enable: boolean
  readonly disable: boolean
}

export const update = (flags: UpdateFlags) =>
  withGateway(flags, Effect.gen(function*() {
    if (flags.enable && flags.disable) return yield* Effect.fail(new UsageError({ message: "--enable and --disable go one at a time." }))
    if (flags.clearDescription && Option.isSome(flags.description)) {
      return yield* Effect.fail(new UsageError({ message: "--description and --clear-description go one at a time." }))
    }
    const url = given(flags.endpoint)
    const eventsText = given(flags.events)
    const events = eventsText === undefined ? undefined : yield* eventsOf(eventsText)
    const description = flags.clearDescription ? null : given(flags.description)
    const payload = {
      ...(url !== undefined ? { url } : {}),
      ...(events !== undefined ? { events } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(flags.enable ? { enabled: true } : flags.disable ? { enabled: false } : {})
    }
    if (Object.keys(payload).length === 0) {
      return yield* Effect.fail(
        new UsageError({ message: "Nothing to change.", hint: "Give --endpoint-url, --events, --description, --clear-description, --enable or --disable." })
      )
    }
    const leadq = yield* LeadqClient
    const updated = yield* leadq.webhooks.update({ path: { id: flags.id }, payload })
    const output = yield* Output
    if (output.json) return yield* output.jsonLine(encodeEndpoint(updated))
    yield* printEndpoint(updated)
  }))

export const remove = (flags: IdFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const leadq = yield* LeadqClient
    const deleted = yield* leadq.webhooks.remove({ path: { id: flags.id } })
    const output = yield* Output
    if (output.json) return yield* output.jsonLine(encodeDeleted(deleted))
    yield* output.line(`Deleted webhook endpoint ${output.paint.bold(deleted.id)}: nothing is sent to it any more.`)
  }))
