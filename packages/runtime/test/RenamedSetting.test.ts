import { describe, expect, it } from "@effect/vitest"
import type { Config } from "effect"
import { ConfigProvider, Effect, Logger, Option } from "effect"
import * as Settings from "../src/Settings.js"

const from = (env: Record<string, string>) => ConfigProvider.fromMap(new Map(Object.entries(env)))
const read = <A, E, R>(effect: Effect.Effect<A, E, R>, env: Record<string, string>) => Effect.withConfigProvider(effect, from(env))
const failure = <A>(config: Config.Config<A>, env: Record<string, string>) => Effect.map(Effect.flip(read(config, env)), String)

/** What `warnFormerNames` logs, level and message, under this environment. */
const warnings = (settings: ReadonlyArray<Settings.RenamedSetting<unknown>>, env: Record<string, string>) =>
  Effect.gen(function*() {
    const logged: Array<string> = []
    const logger = Logger.make(({ logLevel, message }) => {
      logged.push(`${logLevel.label} ${Array.isArray(message) ? message.join(" ") : String(message)}`)
    })
    yield* read(Settings.warnFormerNames(settings), env).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
    return logged
  })

const grace = Settings.millisecondsFormerlySeconds("LEADQ_GRACE_MS", "LEADQ_GRACE_SECONDS", { min: 0, max: 3_600_000 }, 15_000)
const window = Settings.millisecondsFormerlySeconds("LEADQ_WINDOW_MS", "LEADQ_WINDOW_SECONDS", { min: 1_000, max: 86_400_000 }, 60_000)

describe("a renamed setting", () => {
  it.effect("unset: the fallback, no warning", () =>
    Effect.gen(function*() {
      expect(yield* read(grace.config, {})).toBe(15_000)
      expect(yield* read(grace.warning, {})).toEqual(Option.none())
      expect(yield* warnings([grace, window], {})).toEqual([])
    }))

  it.effect("the new name: read as it is (ms), within its bounds, no warning", () =>
    Effect.gen(function*() {
      expect(yield* read(grace.config, { LEADQ_GRACE_MS: "2500" })).toBe(2500)
      expect(yield* read(grace.config, { LEADQ_GRACE_MS: "0" })).toBe(0)
      expect(yield* warnings([grace], { LEADQ_GRACE_MS: "2500" })).toEqual([])
      expect(yield* failure(grace.config, { LEADQ_GRACE_MS: "3600001" })).toContain(
        `LEADQ_GRACE_MS must be a whole number of milliseconds from 0 to 3600000, got "3600001"`
      )
      expect(yield* failure(window.config, { LEADQ_WINDOW_MS: "999" })).toContain("LEADQ_WINDOW_MS must be a whole number of milliseconds from 1000")
    }))

  it.effect("the former name alone: read in seconds, converted, its old bounds kept, and one warning naming the new one", () =>
    Effect.gen(function*() {
      expect(yield* read(grace.config, { LEADQ_GRACE_SECONDS: "5" })).toBe(5_000)
      expect(yield* read(window.config, { LEADQ_WINDOW_SECONDS: "120" })).toBe(120_000)
      expect(yield* failure(grace.config, { LEADQ_GRACE_SECONDS: "0" })).toContain(
        `LEADQ_GRACE_SECONDS must be a whole number of seconds from 1 to 3600, got "0"`
      )
      expect(yield* failure(window.config, { LEADQ_WINDOW_SECONDS: "86401" })).toContain("LEADQ_WINDOW_SECONDS must be a whole number of seconds from 1 to 86400")
      const logged = yield* warnings([grace, window], { LEADQ_GRACE_SECONDS: "5", LEADQ_WINDOW_MS: "7000" })
      expect(logged).toEqual([
        "WARN LEADQ_GRACE_SECONDS is deprecated: set LEADQ_GRACE_MS=5000 instead, and unset LEADQ_GRACE_SECONDS"
      ])
    }))

  it.effect("both names set: refused, naming both, whatever the values", () =>
    Effect.gen(function*() {
      for (const env of [{ LEADQ_GRACE_MS: "5000", LEADQ_GRACE_SECONDS: "5" }, { LEADQ_GRACE_MS: "1", LEADQ_GRACE_SECONDS: "9" }]) {
        const message = yield* failure(grace.config, env)
        expect(message).toContain("LEADQ_GRACE_MS and LEADQ_GRACE_SECONDS are both set: LEADQ_GRACE_MS replaces LEADQ_GRACE_SECONDS, keep only LEADQ_GRACE_MS")
        expect(yield* Effect.flip(read(Settings.warnFormerNames([grace]), env))).toBeDefined()
      }
    }))

  it.effect("a bad value under either name is reported as that name's", () =>
    Effect.gen(function*() {
      expect(yield* failure(grace.config, { LEADQ_GRACE_MS: "soon" })).toContain(`LEADQ_GRACE_MS must be a whole number of milliseconds`)
      expect(yield* failure(grace.config, { LEADQ_GRACE_SECONDS: "soon" })).toContain(`LEADQ_GRACE_SECONDS must be a whole number of seconds`)
    }))
})
