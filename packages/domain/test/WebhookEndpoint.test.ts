import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { validate, WEBHOOK_EVENT_TYPES, WebhookEvent, WebhookEventList, WebhookUrl } from "../src/index.js"

const url = validate(WebhookUrl)
const events = validate(WebhookEventList)
const problems = <A>(result: Either.Either<A, { readonly issues: ReadonlyArray<string> }>) =>
  Either.match(result, { onLeft: (e) => e.issues, onRight: () => [] })

describe("webhook endpoint rules", () => {
  it("a URL is absolute http or https, with a host, without credentials or fragment, at most 2048 characters", () => {
    expect(Either.isRight(url("https://crm.example.com/leadq?x=1"))).toBe(true)
    expect(Either.isRight(url("http://127.0.0.1:9000/hook"))).toBe(true)
    expect(problems(url("ftp://crm.example.com/x"))).toEqual(["must be an http or https URL, got ftp"])
    expect(problems(url("javascript:alert(1)"))).toEqual(["must be an http or https URL, got javascript"])
    expect(problems(url("/relative/path"))).toEqual(["must be an absolute http or https URL, such as https://crm.example.com/leadq"])
    expect(problems(url("https://user:secret@crm.example.com/x"))).toEqual([
      "must not contain credentials (user:password@); verify the signature instead"
    ])
    expect(problems(url("https://crm.example.com/x#part"))).toEqual(["must not contain a fragment (#…)"])
    expect(problems(url(`https://crm.example.com/${"a".repeat(2030)}`))).toEqual(["must be at most 2048 characters"])
  })

  it("events: a non-empty list of known types, each once", () => {
    expect(Either.isRight(events([...WEBHOOK_EVENT_TYPES]))).toBe(true)
    expect(problems(events([]))).toEqual(["must name at least one event type"])
    expect(problems(events(["call.ended", "call.ended"]))).toEqual(["names call.ended twice"])
    expect(problems(events(["lead.removed", "lead.exploded"]))).toEqual([`1: must be one of ${WEBHOOK_EVENT_TYPES.join(", ")}`])
  })

  it("a delivery decodes by its type, and a payload of another type's shape does not", () => {
    const decode = Schema.decodeUnknownEither(WebhookEvent)
    const sent = {
      id: "evt_0123456789abcdefghjkmnpq",
      type: "campaign.status_changed",
      created_at: "2026-06-03T18:30:00.000Z",
      data: { campaign_id: "cmp_0123456789abcdefghjkmnpq", from: "running", to: "paused", changed_at: "2026-06-03T18:30:00.000Z" }
    }
    expect(Either.isRight(decode(sent))).toBe(true)
    expect(Either.isLeft(decode({ ...sent, type: "lead.removed" }))).toBe(true)
    expect(Either.isLeft(decode({ ...sent, type: "lead.exploded" }))).toBe(true)
  })
})
