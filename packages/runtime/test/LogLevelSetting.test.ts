import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, LogLevel } from "effect"
import { checkingLogLevel, LOG_LEVEL_NAMES, LogLevelSetting } from "../src/LogLevelSetting.js"
import { wholeNumber } from "../src/Settings.js"

const read = (env: Record<string, string>) =>
  Effect.withConfigProvider(LogLevelSetting, ConfigProvider.fromMap(new Map(Object.entries(env))))

const message = (env: Record<string, string>) => Effect.map(Effect.flip(read(env)), String)

describe("LOG_LEVEL", () => {
  it("names the levels the README documents, in its order", () => {
    expect(LOG_LEVEL_NAMES).toEqual(["All", "Trace", "Debug", "Info", "Warning", "Error", "Fatal", "None"])
  })

  for (const [name, level] of [
    ["All", LogLevel.All],
    ["Trace", LogLevel.Trace],
    ["Debug", LogLevel.Debug],
    ["Info", LogLevel.Info],
    ["Warning", LogLevel.Warning],
    ["Error", LogLevel.Error],
    ["Fatal", LogLevel.Fatal],
    ["None", LogLevel.None]
  ] as const) {
    it.effect(`accepts ${name} as documented, in lower and upper case`, () =>
      Effect.gen(function*() {
        expect(yield* read({ LOG_LEVEL: name })).toBe(level)
        expect(yield* read({ LOG_LEVEL: name.toLowerCase() })).toBe(level)
        expect(yield* read({ LOG_LEVEL: name.toUpperCase() })).toBe(level)
      }))
  }

  it.effect("accepts Effect's own labels (WARN, OFF, …) in any case", () =>
    Effect.gen(function*() {
      expect(yield* read({ LOG_LEVEL: "WARN" })).toBe(LogLevel.Warning)
      expect(yield* read({ LOG_LEVEL: "warn" })).toBe(LogLevel.Warning)
      expect(yield* read({ LOG_LEVEL: "OFF" })).toBe(LogLevel.None)
      expect(yield* read({ LOG_LEVEL: "Off" })).toBe(LogLevel.None)
      for (const level of LogLevel.allLevels) expect(yield* read({ LOG_LEVEL: level.label })).toBe(level)
    }))

  it.effect("is Info when unset; surrounding blanks are ignored", () =>
    Effect.gen(function*() {
      expect(yield* read({})).toBe(LogLevel.Info)
      expect(yield* read({ LOG_LEVEL: " Warning " })).toBe(LogLevel.Warning)
    }))

  it.effect("refuses anything else, naming the variable and every accepted name", () =>
    Effect.gen(function*() {
      for (const wrong of ["loud", "", "Warnings", "verbose", "3"]) {
        const text = yield* message({ LOG_LEVEL: wrong })
        expect(text).toContain("Invalid data at LOG_LEVEL")
        expect(text).toContain(`got "${wrong}"`)
        for (const name of [...LOG_LEVEL_NAMES, "WARN", "OFF"]) expect(text).toContain(name)
      }
    }))

  it.effect("checkingLogLevel reports a bad level together with the service's other bad settings", () =>
    Effect.gen(function*() {
      const settings = checkingLogLevel(wholeNumber("LEADQ_N", { min: 1, max: 5 }))
      const provider = ConfigProvider.fromMap(new Map([["LEADQ_N", "9"], ["LOG_LEVEL", "loud"]]))
      const text = String(yield* Effect.flip(Effect.withConfigProvider(settings, provider)))
      expect(text).toContain("LEADQ_N must be a whole number from 1 to 5")
      expect(text).toContain("LOG_LEVEL must be one of")
      const ok = ConfigProvider.fromMap(new Map([["LEADQ_N", "3"], ["LOG_LEVEL", "warning"]]))
      expect(yield* Effect.withConfigProvider(settings, ok)).toBe(3)
    }))
})
