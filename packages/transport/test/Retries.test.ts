import { describe, expect, it } from "@effect/vitest"
import { LeadNotFound, RateLimited, RetryConfig } from "@leadq/domain"
import { Effect, Redacted, Stream } from "effect"
import type { LeadqClientOptions } from "../src/index.js"
import { ConnectionError, LeadqClient, RequestTimeout, UnexpectedResponse } from "../src/index.js"
import type { Reply } from "./MisbehavingServer.js"
import { closedPort, gaps, misbehavingServer } from "./MisbehavingServer.js"

const health = { ok: true, engine: "sqlite", version: "test" }
const unavailable: Reply = { status: 503, body: { statusCode: 503, message: "busy", error: "Service Unavailable", code: "Unavailable" } }
const rateLimited = (seconds: number): Reply => ({
  status: 429,
  headers: { "retry-after": String(seconds) },
  body: {
    statusCode: 429,
    message: `Too many failed API key attempts; retry in ${seconds} s.`,
    error: "Too Many Requests",
    code: "RateLimited",
    retry_after_seconds: seconds
  }
})
const leadNotFound = (id: string): Reply => ({
  status: 404,
  body: { statusCode: 404, message: `Lead ${id} not found.`, error: "Not Found", code: "LeadNotFound", lead_id: id }
})

const campaign = (name: string) => ({
  name,
  agent_id: "a",
  from_phone_number: "+14155550100" as never,
  max_concurrent_calls: 1,
  retry_config: new RetryConfig({ max_retries: 0, retry_interval_minutes: 60 })
})

/** Run `program` with a client of `url`: short backoffs so that the suite stays quick. */
const withClient = <A, E>(url: string, program: Effect.Effect<A, E, LeadqClient>, options: Partial<LeadqClientOptions> = {}) =>
  Effect.provide(
    program,
    LeadqClient.layer({ baseUrl: url, apiKey: Redacted.make("lq_test"), retry: { baseDelay: 20, maxDelay: 100 }, ...options })
  )

describe("retries against a server that misbehaves on purpose", () => {
  it.live("a GET answered 503 twice is retried and succeeds on the third attempt", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer((n) => (n < 2 ? unavailable : { status: 200, body: health }))
      const answer = yield* withClient(server.url, Effect.flatMap(LeadqClient, (c) => c.service.health()))
      expect(answer.ok).toBe(true)
      expect(server.seen.map((s) => s.method)).toEqual(["GET", "GET", "GET"])
      // every attempt carries the key
      expect(server.seen.every((s) => s.headers.authorization === "Bearer lq_test")).toBe(true)
    }).pipe(Effect.scoped))

  // These two said "a POST is never retried" before POSTs carried an Idempotency-Key: a keyed
  // POST is retried now (docs/api.md, "Idempotency"), and every attempt carries the same key.
  it.live("a POST answered 503 is retried, every attempt with the same Idempotency-Key, and the failure says what came back", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(() => unavailable)
      const error = yield* withClient(
        server.url,
        Effect.flip(Effect.flatMap(LeadqClient, (c) => c.campaigns.create({ payload: campaign("Once, under one key") })))
      )
      expect(server.seen.map((s) => s.method)).toEqual(["POST", "POST", "POST", "POST"])
      const keys = new Set(server.seen.map((s) => s.headers["idempotency-key"]))
      expect(keys.size).toBe(1)
      expect([...keys][0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      expect(error).toBeInstanceOf(UnexpectedResponse)
      if (error._tag === "UnexpectedResponse") {
        expect(error.status).toBe(503)
        expect(error.message).toMatch(/503/)
      }
    }).pipe(Effect.scoped))

  it.live("a POST whose connection fails is retried with its key; two POSTs carry two keys", () =>
    Effect.gen(function*() {
      // the server answers every request by dropping the connection
      const server = yield* misbehavingServer(() => "hang")
      server.server.on("request", (req) => req.socket.destroy())
      const cancel = (id: string) =>
        withClient(server.url, Effect.flip(Effect.flatMap(LeadqClient, (c) => c.campaigns.cancel({ path: { id } }))), {
          retry: { maxRetries: 1, baseDelay: 5 }
        })
      expect(yield* cancel("cmp_x")).toBeInstanceOf(ConnectionError)
      expect(yield* cancel("cmp_y")).toBeInstanceOf(ConnectionError)
      expect(server.seen.map((s) => s.url)).toEqual(["/v1/campaigns/cmp_x/cancel", "/v1/campaigns/cmp_x/cancel", "/v1/campaigns/cmp_y/cancel", "/v1/campaigns/cmp_y/cancel"])
      const [a, a2, b, b2] = server.seen.map((s) => s.headers["idempotency-key"])
      expect(a).toBeDefined()
      expect(a2).toBe(a)
      expect(b2).toBe(b)
      expect(b).not.toBe(a)
    }).pipe(Effect.scoped))

  it.live("409 IdempotencyKeyInUse (with Retry-After) is waited out and retried; a 409 without Retry-After is final", () =>
    Effect.gen(function*() {
      const inUse: Reply = {
        status: 409,
        headers: { "retry-after": "1" },
        body: { statusCode: 409, message: "in progress", error: "Conflict", code: "IdempotencyKeyInUse", idempotency_key: "k", retry_after_seconds: 1 }
      }
      const server = yield* misbehavingServer(() => inUse)
      const error = yield* withClient(server.url, Effect.flip(Effect.flatMap(LeadqClient, (c) => c.campaigns.cancel({ path: { id: "cmp_x" } }))), {
        retry: { maxRetries: 1, baseDelay: 1 }
      })
      expect(error._tag).toBe("IdempotencyKeyInUse")
      expect(server.seen).toHaveLength(2)
      expect(gaps(server.seen)[0]).toBeGreaterThanOrEqual(1000)

      const terminal = yield* misbehavingServer(() => ({
        status: 409,
        body: { statusCode: 409, message: "done", error: "Conflict", code: "CampaignTerminal", campaign_id: "cmp_x", status: "completed" }
      }))
      const final = yield* withClient(terminal.url, Effect.flip(Effect.flatMap(LeadqClient, (c) => c.campaigns.cancel({ path: { id: "cmp_x" } }))))
      expect(final._tag).toBe("CampaignTerminal")
      expect(terminal.seen).toHaveLength(1)
    }).pipe(Effect.scoped))

  it.live("a streamed CSV upload carries a key but is not retried: its body cannot be sent again", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(() => unavailable)
      const error = yield* withClient(
        server.url,
        Effect.flip(Effect.flatMap(LeadqClient, (c) =>
          c.uploadCsv("cmp_x", { content: Stream.make(new TextEncoder().encode("phone_number\n+14155550100\n")) })))
      )
      expect(error._tag).toBe("UnexpectedResponse")
      expect(server.seen).toHaveLength(1)
      expect(server.seen[0]!.headers["idempotency-key"]).toBeDefined()
    }).pipe(Effect.scoped))

  it.live("429 with Retry-After: the next attempt waits at least that long, then RateLimited once retries run out", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(() => rateLimited(1))
      const error = yield* withClient(
        server.url,
        Effect.flip(Effect.flatMap(LeadqClient, (c) => c.campaigns.get({ path: { id: "cmp_x" } }))),
        { retry: { maxRetries: 2, baseDelay: 1 } }
      )
      expect(error).toBeInstanceOf(RateLimited)
      if (error._tag === "RateLimited") expect(error.retry_after_seconds).toBe(1)
      expect(server.seen).toHaveLength(3)
      // observed by the server, not by the client: each retry came at least a second later
      for (const gap of gaps(server.seen)) expect(gap).toBeGreaterThanOrEqual(1000)
    }).pipe(Effect.scoped))

  it.live("429 then 200: one wait of at least Retry-After, then the answer", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer((n) => (n === 0 ? rateLimited(1) : { status: 200, body: health }))
      const answer = yield* withClient(server.url, Effect.flatMap(LeadqClient, (c) => c.service.health()))
      expect(answer.engine).toBe("sqlite")
      expect(server.seen).toHaveLength(2)
      expect(gaps(server.seen)[0]).toBeGreaterThanOrEqual(1000)
    }).pipe(Effect.scoped))

  it.live("503 with Retry-After then 200: a GET waits at least Retry-After, then the answer", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer((n) => (n === 0 ? { ...unavailable, headers: { "retry-after": "1" } } : { status: 200, body: health }))
      // a backoff far shorter than the server's ask: the wait below can only come from Retry-After
      const answer = yield* withClient(server.url, Effect.flatMap(LeadqClient, (c) => c.service.health()), { retry: { baseDelay: 1, maxDelay: 2 } })
      expect(answer.ok).toBe(true)
      expect(server.seen.map((s) => s.method)).toEqual(["GET", "GET"])
      expect(gaps(server.seen)[0]).toBeGreaterThanOrEqual(1000)
    }).pipe(Effect.scoped))

  it.live("a 503 asking for longer than maxRetryAfter is the answer at once, and says how long it asked", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(() => ({ ...unavailable, headers: { "retry-after": "120" } }))
      const error = yield* withClient(server.url, Effect.flip(Effect.flatMap(LeadqClient, (c) => c.leads.get({ path: { id: "lead_x" } }))))
      expect(server.seen).toHaveLength(1)
      expect(error).toBeInstanceOf(UnexpectedResponse)
      if (error._tag === "UnexpectedResponse") expect(error.retry_after_seconds).toBe(120)
    }).pipe(Effect.scoped))

  it.live("a Retry-After longer than the client will wait is not waited for", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(() => rateLimited(3600))
      const error = yield* withClient(server.url, Effect.flip(Effect.flatMap(LeadqClient, (c) => c.campaigns.get({ path: { id: "cmp_x" } }))))
      expect(error._tag).toBe("RateLimited")
      expect(server.seen).toHaveLength(1)
    }).pipe(Effect.scoped))

  it.live("gives up after the bounded retries: 1 + maxRetries attempts, then the last answer", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(() => unavailable)
      const error = yield* withClient(
        server.url,
        Effect.flip(Effect.flatMap(LeadqClient, (c) => c.leads.get({ path: { id: "lead_x" } }))),
        { retry: { maxRetries: 4, baseDelay: 5, maxDelay: 20 } }
      )
      expect(server.seen).toHaveLength(5)
      expect(error._tag).toBe("UnexpectedResponse")
      if (error._tag === "UnexpectedResponse") {
        expect(error.status).toBe(503)
        expect(error.code).toBe("Unavailable")
      }
    }).pipe(Effect.scoped))

  it.live("a DELETE is retried; a retry that finds the lead gone answers LeadNotFound", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer((n) => (n === 0 ? unavailable : leadNotFound("lead_gone")))
      const error = yield* withClient(
        server.url,
        Effect.flip(Effect.flatMap(LeadqClient, (c) => c.leads.remove({ path: { id: "lead_gone" }, urlParams: {} })))
      )
      expect(server.seen.map((s) => s.method)).toEqual(["DELETE", "DELETE"])
      expect(error).toBeInstanceOf(LeadNotFound)
    }).pipe(Effect.scoped))

  it.live("a PATCH is not retried", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(() => unavailable)
      const error = yield* withClient(
        server.url,
        Effect.flip(Effect.flatMap(LeadqClient, (c) => c.campaigns.update({ path: { id: "cmp_x" }, payload: { status: "paused" } })))
      )
      expect(server.seen).toHaveLength(1)
      expect(error._tag).toBe("UnexpectedResponse")
    }).pipe(Effect.scoped))

  it.live("no answer within the timeout is RequestTimeout, after the retries of a GET", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(() => "hang")
      const error = yield* withClient(
        server.url,
        Effect.flip(Effect.flatMap(LeadqClient, (c) => c.service.health())),
        { timeout: 150, retry: { maxRetries: 1, baseDelay: 5 } }
      )
      expect(error).toBeInstanceOf(RequestTimeout)
      expect(server.seen).toHaveLength(2)
    }).pipe(Effect.scoped))

  it.live("nobody listening is ConnectionError naming the cause", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const error = yield* withClient(
        `http://127.0.0.1:${port}`,
        Effect.flip(Effect.flatMap(LeadqClient, (c) => c.service.health())),
        { retry: { maxRetries: 1, baseDelay: 5 } }
      )
      expect(error).toBeInstanceOf(ConnectionError)
      if (error._tag === "ConnectionError") expect(error.reason).toBe("ECONNREFUSED")
    }))

  it.live("a 200 whose body is not the contract's is an UnexpectedResponse, not a crash", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(() => ({ status: 200, body: "<html>hello</html>" }))
      const error = yield* withClient(server.url, Effect.flip(Effect.flatMap(LeadqClient, (c) => c.service.health())))
      expect(error._tag).toBe("UnexpectedResponse")
      if (error._tag === "UnexpectedResponse") expect(error.status).toBe(200)
    }).pipe(Effect.scoped))
})
