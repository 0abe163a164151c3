import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Redacted, Schema } from "effect"
import { ApiKey, DEFAULT_BASE_URL, GatewayUrl, LeadqClientConfig } from "../src/index.js"

/** `LeadqClientConfig` read from this environment only. */
const readWith = (env: Record<string, string>) =>
  Effect.either(Effect.withConfigProvider(LeadqClientConfig, ConfigProvider.fromMap(new Map(Object.entries(env)))))

describe("LEADQ_URL and LEADQ_API_KEY", () => {
  it.effect("both set: the URL as given (trimmed), the key redacted", () =>
    Effect.gen(function*() {
      const read = yield* readWith({ LEADQ_URL: " https://leadq.internal:8443 ", LEADQ_API_KEY: "lq_abc" })
      expect(Either.isRight(read)).toBe(true)
      if (Either.isRight(read)) {
        expect(read.right.baseUrl).toBe("https://leadq.internal:8443")
        expect(Redacted.value(read.right.apiKey)).toBe("lq_abc")
        expect(String(read.right.apiKey)).not.toContain("lq_abc")
      }
    }))

  it.effect("an unset or blank LEADQ_URL is the local gateway", () =>
    Effect.gen(function*() {
      for (const env of [{ LEADQ_API_KEY: "lq_abc" }, { LEADQ_URL: "  ", LEADQ_API_KEY: "lq_abc" }]) {
        const read = yield* readWith(env)
        expect(Either.isRight(read) && read.right.baseUrl).toBe(DEFAULT_BASE_URL)
      }
    }))

  it.effect("a URL that is not http(s) is refused, named and quoted", () =>
    Effect.gen(function*() {
      const read = yield* readWith({ LEADQ_URL: "ftp://x", LEADQ_API_KEY: "lq_abc" })
      expect(Either.isLeft(read)).toBe(true)
      if (Either.isLeft(read)) {
        expect(String(read.left)).toContain("LEADQ_URL")
        expect(String(read.left)).toContain(`The gateway URL must be http:// or https:// (such as ${DEFAULT_BASE_URL}), got "ftp://x".`)
      }
    }))

  it.effect("an unset or blank LEADQ_API_KEY is missing", () =>
    Effect.gen(function*() {
      for (const env of [{}, { LEADQ_API_KEY: " " }]) {
        const read = yield* readWith(env)
        expect(Either.isLeft(read) && String(read.left)).toContain("LEADQ_API_KEY")
      }
    }))

  it("the flags' schemas: the same rules for a value typed on a command line", () => {
    expect(Schema.decodeEither(GatewayUrl)(" http://127.0.0.1:9 ")).toEqual(Either.right("http://127.0.0.1:9"))
    expect(Either.isLeft(Schema.decodeEither(GatewayUrl)("127.0.0.1:8080"))).toBe(true)
    expect(Either.isLeft(Schema.decodeEither(ApiKey)("  "))).toBe(true)
    const key = Schema.decodeEither(ApiKey)(" lq_abc ")
    expect(Either.isRight(key) && Redacted.value(key.right)).toBe("lq_abc")
  })
})
