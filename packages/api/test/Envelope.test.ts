import { OpenApi } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import {
  ApiKeyNotFound,
  CallLogNotFound,
  CampaignNotFound,
  CampaignTerminal,
  InvalidInput,
  InvalidTransition,
  issuesOf,
  LeadLocked,
  LeadNotFound,
  RateLimited,
  Unauthorized
} from "@leadq/domain"
import { Arbitrary, Either, FastCheck, Option, ParseResult, Schema } from "effect"
import {
  CampaignBody,
  CampaignPatchBody,
  fromEnvelope,
  HeadersTooLarge,
  InternalError,
  isEnvelope,
  LeadCreateBody,
  LeadqApi,
  MethodNotAllowed,
  PayloadTooLarge,
  RequestTimeout,
  RouteNotFound,
  ServiceUnavailable,
  STATUS_OF,
  toEnvelope,
  UnsupportedMediaType
} from "../src/index.js"

const classes = [
  [InvalidInput, 400],
  [Unauthorized, 401],
  [RateLimited, 429],
  [LeadNotFound, 404],
  [CampaignNotFound, 404],
  [CallLogNotFound, 404],
  [ApiKeyNotFound, 404],
  [CampaignTerminal, 409],
  [LeadLocked, 409],
  [InvalidTransition, 409],
  [RouteNotFound, 404],
  [MethodNotAllowed, 405],
  [PayloadTooLarge, 413],
  [UnsupportedMediaType, 415],
  [InternalError, 500],
  [HeadersTooLarge, 431],
  [RequestTimeout, 408],
  [ServiceUnavailable, 503]
] as const

describe("error envelope", () => {
  it("maps each failure to its status and back to the same class", () => {
    expect(toEnvelope(LeadNotFound.of("lead_x"))).toEqual({
      statusCode: 404,
      message: "Lead lead_x not found.",
      error: "Not Found",
      code: "LeadNotFound",
      lead_id: "lead_x"
    })
    const invalid = toEnvelope(InvalidInput.of(["name: must not be empty", "agent_id: is required"]))
    expect(invalid).toEqual({
      statusCode: 400,
      message: ["name: must not be empty", "agent_id: is required"],
      error: "Bad Request",
      code: "InvalidInput"
    })
    const back = fromEnvelope(JSON.parse(JSON.stringify(invalid)))
    expect(Option.getOrThrow(back)).toBeInstanceOf(InvalidInput)
    expect(Option.getOrThrow(back)).toMatchObject({ issues: ["name: must not be empty", "agent_id: is required"] })
    expect(toEnvelope(new RateLimited({ retry_after_seconds: 30, message: "Slow down." }))).toMatchObject({
      statusCode: 429,
      error: "Too Many Requests",
      retry_after_seconds: 30
    })
    expect(fromEnvelope({ statusCode: 404, message: "x", error: "Not Found", code: "Nope" })).toEqual(Option.none())
    expect(fromEnvelope("not an envelope")).toEqual(Option.none())
  })

  for (const [cls, status] of classes) {
    it.prop(`${cls.identifier}: any instance survives the wire (status ${status})`, [Arbitrary.make(cls as unknown as Schema.Schema<InvalidInput>)], ([error]) => {
      // JSON has no NaN, Infinity or -0; no real failure carries one.
      FastCheck.pre(Object.values(error).every((v) => typeof v !== "number" || (Number.isFinite(v) && !Object.is(v, -0))))
      const wire = JSON.parse(JSON.stringify(toEnvelope(error)))
      expect(isEnvelope(wire)).toBe(true)
      expect(wire.statusCode).toBe(status)
      expect(STATUS_OF[error._tag as keyof typeof STATUS_OF]).toBe(status)
      expect(wire.code).toBe(error._tag)
      const back = Option.getOrThrow(fromEnvelope(wire))
      expect(back).toBeInstanceOf(cls)
      expect({ ...back }).toEqual({ ...error })
    }, { fastCheck: { numRuns: 30 } })
  }
})

describe("request bodies are exact and report every problem", () => {
  const decode = <A, I>(schema: Schema.Schema<A, I>) => (u: unknown) =>
    Either.mapLeft(ParseResult.decodeUnknownEither(schema)(u), (issue) => issuesOf(new ParseResult.ParseError({ issue })))

  it("campaign: unknown fields, nested unknown fields, and all problems at once", () => {
    const result = decode(CampaignBody)({
      name: "",
      agent_id: "a",
      from_phone_number: "0123",
      retry_config: { max_retries: 9, retry_interval_minutes: 5, extra: 1 },
      colour: "red"
    })
    expect(Either.isLeft(result)).toBe(true)
    const issues = Either.getLeft(result).pipe(Option.getOrThrow)
    expect(issues).toEqual(expect.arrayContaining([
      "name: must not be empty",
      "from_phone_number: must be an E.164 phone number such as +14155550123",
      "retry_config.max_retries: must be an integer from 0 to 4",
      "retry_config.extra: is not a known field",
      "colour: is not a known field"
    ]))
    const ok = decode(CampaignBody)({ name: "N", agent_id: "a", from_phone_number: "+14155550100" })
    expect(Either.isRight(ok)).toBe(true)
  })

  it("lead: the documented camelCase body; a 16th notes key is refused", () => {
    const notes = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i]))
    const result = decode(LeadCreateBody)({ campaignId: "cmp_x", phoneNumber: "+14155550100", notes })
    expect(Either.getLeft(result).pipe(Option.getOrThrow)).toEqual(["notes: notes may have at most 15 keys, got 16"])
    expect(Either.isRight(decode(LeadCreateBody)({ campaignId: "cmp_x", phoneNumber: "4155550100", countryCode: "1" }))).toBe(true)
    expect(Either.getLeft(decode(LeadCreateBody)({ campaign_id: "cmp_x", phoneNumber: "+1" })).pipe(Option.getOrThrow)).toEqual(
      expect.arrayContaining(["campaignId: is required", "campaign_id: is not a known field"])
    )
  })

  it("campaign patch: status is only paused or running", () => {
    expect(Either.isLeft(decode(CampaignPatchBody)({ status: "cancelled" }))).toBe(true)
    expect(Either.isRight(decode(CampaignPatchBody)({ status: "paused" }))).toBe(true)
  })

  it.prop("random JSON never throws, only decodes or lists problems", [FastCheck.jsonValue()], ([value]) => {
    for (const schema of [CampaignBody, CampaignPatchBody, LeadCreateBody] as const) {
      const result = decode(schema as Schema.Schema<unknown, unknown>)(value)
      if (Either.isLeft(result)) expect(result.left.length).toBeGreaterThan(0)
    }
  }, { fastCheck: { numRuns: 200 } })
})

describe("OpenAPI document", () => {
  const spec = OpenApi.fromApi(LeadqApi)

  it("every POST under an API key declares the Idempotency-Key answers (409 in use, 422 reused); other methods do not", () => {
    const posts = ["/v1/campaigns", "/v1/campaigns/{id}/cancel", "/v1/campaigns-leads", "/v1/campaigns-leads/upload-file/{campaignId}", "/v1/campaigns-leads/bulk-remove"]
    for (const path of posts) {
      const responses = spec.paths[path]!.post!.responses
      expect(JSON.stringify(responses["409"])).toContain("#/components/schemas/IdempotencyKeyInUse")
      expect(JSON.stringify(responses["422"])).toContain("#/components/schemas/IdempotencyKeyReused")
    }
    expect(spec.paths["/v1/campaigns-leads/{id}"]!.delete!.responses["422"]).toBeUndefined()
  })

  it("lists every endpoint of the contract with its errors", () => {
    const ops = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.keys(item).filter((k) => ["get", "post", "patch", "delete", "put"].includes(k)).map((m) => `${m.toUpperCase()} ${path}`)
    )
    expect(ops.sort()).toEqual([
      "DELETE /v1/campaigns-leads/{id}",
      "DELETE /v1/suppressions/{phone}",
      "DELETE /v1/webhooks/{id}",
      "GET /healthz",
      "GET /metrics",
      "GET /readyz",
      "GET /v1/call-logs",
      "GET /v1/call-logs/campaign/{campaignId}",
      "GET /v1/call-logs/{id}",
      "GET /v1/campaigns",
      "GET /v1/campaigns-leads",
      "GET /v1/campaigns-leads/{id}",
      "GET /v1/campaigns-leads/{id}/removal",
      "GET /v1/campaigns/{id}",
      "GET /v1/removals",
      "GET /v1/suppressions",
      "GET /v1/suppressions/{phone}",
      "GET /v1/suppressions/{phone}/lifts",
      "GET /v1/webhooks",
      "GET /v1/webhooks/{id}",
      "GET /v1/webhooks/{id}/deliveries",
      "PATCH /v1/campaigns-leads/{id}",
      "PATCH /v1/campaigns/{id}",
      "PATCH /v1/webhooks/{id}",
      "POST /v1/campaigns",
      "POST /v1/campaigns-leads",
      "POST /v1/campaigns-leads/bulk-remove",
      "POST /v1/campaigns-leads/upload-file/{campaignId}",
      "POST /v1/campaigns/{id}/cancel",
      "POST /v1/carrier/webhooks/call-ended",
      "POST /v1/suppressions",
      "POST /v1/suppressions/upload-file",
      "POST /v1/webhooks",
      "POST /v1/webhooks/{id}/deliveries/{deliveryId}/resend"
    ])
    const remove = spec.paths["/v1/campaigns-leads/{id}"]!.delete!
    expect(Object.keys(remove.responses).sort()).toEqual(["200", "400", "401", "404", "409", "413", "415", "429", "500"])
    expect(remove.security).toEqual([{ bearer: [] }])
    const removal = spec.paths["/v1/campaigns-leads/{id}/removal"]!.get!
    expect(Object.keys(removal.responses).sort()).toEqual(["200", "400", "401", "404", "413", "415", "429", "500"])
    expect(removal.security).toEqual([{ bearer: [] }])
    // Suppressing a number is 201; suppressing it again (new reason or expiry) is 200. Like every
    // POST it may answer the Idempotency-Key errors (409 IdempotencyKeyInUse, 422 IdempotencyKeyReused).
    const suppress = spec.paths["/v1/suppressions"]!.post!
    expect(Object.keys(suppress.responses).sort()).toEqual(["200", "201", "400", "401", "409", "413", "415", "422", "429", "500"])
    const suppressUpload = spec.paths["/v1/suppressions/upload-file"]!.post!
    expect(Object.keys(suppressUpload.responses).sort()).toEqual(["201", "400", "401", "409", "413", "415", "422", "429", "500"])
    expect(Object.keys(spec.paths["/v1/suppressions/{phone}"]!.get!.responses)).toContain("404")
    // A webhook endpoint is created with a 201 (and honours Idempotency-Key like every POST).
    expect(Object.keys(spec.paths["/v1/webhooks"]!.post!.responses).sort()).toEqual(["201", "400", "401", "409", "413", "415", "422", "429", "500"])
    expect(Object.keys(spec.paths["/v1/webhooks/{id}"]!.patch!.responses)).toContain("404")
    const resend = spec.paths["/v1/webhooks/{id}/deliveries/{deliveryId}/resend"]!.post!
    expect(Object.keys(resend.responses).sort()).toEqual(["202", "400", "401", "404", "409", "413", "415", "422", "429", "500"])
    expect(JSON.stringify(spec)).not.toContain("HttpApiDecodeError")
    expect(spec.components.schemas["LeadNotFound"]).toBeDefined()
  })
})
