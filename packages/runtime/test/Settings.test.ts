import { describe, expect, it } from "@effect/vitest"
import type { Config } from "effect"
import { ConfigProvider, Effect, Redacted } from "effect"
import * as Settings from "../src/Settings.js"

const from = (env: Record<string, string>) => ConfigProvider.fromMap(new Map(Object.entries(env)))
const read = <A>(config: Config.Config<A>, env: Record<string, string>) => Effect.withConfigProvider(config, from(env))
const failure = <A>(config: Config.Config<A>, env: Record<string, string>) => Effect.map(Effect.flip(read(config, env)), String)

describe("the shared setting parsers", () => {
  it.effect("whole numbers: bounds, fallback, and one form of message", () =>
    Effect.gen(function*() {
      const n = Settings.wholeNumber("LEADQ_N", { min: 1, max: 1000, fallback: 10 })
      expect(yield* read(n, {})).toBe(10)
      expect(yield* read(n, { LEADQ_N: " 1000 " })).toBe(1000)
      for (const bad of ["0", "1001", "2.5", "", "ten"]) {
        expect(yield* failure(n, { LEADQ_N: bad })).toContain(`LEADQ_N must be a whole number from 1 to 1000, got "${bad}"`)
      }
      const required = Settings.wholeNumber("LEADQ_R", { min: 0 })
      expect(yield* failure(required, {})).toContain("LEADQ_R")
    }))

  it.effect("durations and sizes say their unit; no upper bound reads as 'at least'", () =>
    Effect.gen(function*() {
      const lease = Settings.milliseconds("LEADQ_LEASE_MS", { min: 300, fallback: 30_000 })
      expect(yield* read(lease, { LEADQ_LEASE_MS: "1500" })).toBe(1500)
      expect(yield* failure(lease, { LEADQ_LEASE_MS: "soon" })).toContain(
        `LEADQ_LEASE_MS must be a whole number of milliseconds, at least 300, got "soon"`
      )
      expect(yield* failure(Settings.seconds("LEADQ_S", { min: 1, max: 60 }), { LEADQ_S: "61" })).toContain(
        "LEADQ_S must be a whole number of seconds from 1 to 60"
      )
      expect(yield* failure(Settings.bytes("LEADQ_B", { min: 1, max: 5 }), { LEADQ_B: "6" })).toContain("a whole number of bytes from 1 to 5")
    }))

  it.effect("port, host, URL, flag, word, text, secret", () =>
    Effect.gen(function*() {
      const port = Settings.port("PORT", { fallback: 8080 })
      expect(yield* read(port, {})).toBe(8080)
      expect(yield* read(port, { PORT: "0" })).toBe(0)
      expect(yield* failure(port, { PORT: "eighty" })).toContain(`PORT must be a TCP port from 0 to 65535, got "eighty"`)
      expect(yield* failure(port, { PORT: "65536" })).toContain("PORT must be a TCP port")

      const host = Settings.host("HOST", { fallback: "0.0.0.0" })
      expect(yield* read(host, { HOST: "::1" })).toBe("::1")
      expect(yield* failure(host, { HOST: "a b" })).toContain("HOST must be a host name or address")

      const url = Settings.httpUrl("LEADQ_URL")
      expect(yield* read(url, { LEADQ_URL: "https://x.example" })).toBe("https://x.example")
      expect(yield* failure(url, { LEADQ_URL: "ftp://x" })).toContain("LEADQ_URL must be an http:// or https:// URL")
      expect(yield* failure(url, { LEADQ_URL: "nope" })).toContain(`got "nope"`)

      const flag = Settings.flag("LEADQ_F", { fallback: false })
      expect(yield* read(flag, {})).toBe(false)
      expect(yield* read(flag, { LEADQ_F: "TRUE" })).toBe(true)
      expect(yield* read(flag, { LEADQ_F: "off" })).toBe(false)
      expect(yield* failure(flag, { LEADQ_F: "maybe" })).toContain("LEADQ_F must be true or false")

      const word = Settings.oneOf("LEADQ_W", ["simulated", "http"], { fallback: "simulated" })
      expect(yield* read(word, {})).toBe("simulated")
      expect(yield* read(word, { LEADQ_W: "http" })).toBe("http")
      expect(yield* failure(word, { LEADQ_W: "sip" })).toContain(`LEADQ_W must be one of simulated, http, got "sip"`)

      const text = Settings.text("LEADQ_T", { maxLength: 3 })
      expect(yield* read(text, { LEADQ_T: "abc" })).toBe("abc")
      expect(yield* failure(text, { LEADQ_T: "abcd" })).toContain("LEADQ_T must be a non-empty text of at most 3 characters")
      expect(yield* failure(text, { LEADQ_T: "" })).toContain("LEADQ_T")

      const secret = Settings.secret("LEADQ_K")
      const value = yield* read(secret, { LEADQ_K: "s3cret" })
      expect(Redacted.value(value)).toBe("s3cret")
      expect(String(value)).not.toContain("s3cret")
      expect(yield* failure(secret, { LEADQ_K: "" })).toContain("LEADQ_K must not be empty")
    }))
})
