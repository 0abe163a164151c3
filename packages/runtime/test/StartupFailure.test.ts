import { describe, expect, it } from "@effect/vitest"
import { Cause, ConfigError, Effect, Layer, Logger, LogLevel } from "effect"
import { reportStop } from "../src/StartupFailure.js"

/** What `reportStop` logs for a cause: (level, message) pairs. */
const logged = (cause: Cause.Cause<unknown>, minimum: LogLevel.LogLevel = LogLevel.Info) =>
  Effect.gen(function*() {
    const lines: Array<{ level: string; message: string; cause: string }> = []
    const capture = Logger.make(({ cause: c, logLevel, message }) => {
      lines.push({ level: logLevel.label, message: [message].flat().join(" "), cause: Cause.pretty(c) })
    })
    yield* reportStop("the gateway")(cause).pipe(
      Effect.provide(Layer.merge(Logger.replace(Logger.defaultLogger, capture), Logger.minimumLogLevel(minimum)))
    )
    return lines
  })

describe("reportStop", () => {
  it.effect("a bad setting: one error line, Invalid configuration, naming the variable", () =>
    Effect.gen(function*() {
      const lines = yield* logged(Cause.fail(ConfigError.InvalidData(["PORT"], `PORT must be a TCP port from 0 to 65535, got "x"`)))
      expect(lines).toHaveLength(1)
      expect(lines[0]!.level).toBe("ERROR")
      expect(lines[0]!.message).toBe(`Invalid configuration: (Invalid data at PORT: "PORT must be a TCP port from 0 to 65535, got "x"")`)
    }))

  it.effect("bad settings of two layers that failed together: both, each once", () =>
    Effect.gen(function*() {
      const a = ConfigError.InvalidData(["LOG_LEVEL"], "LOG_LEVEL must be …")
      const b = ConfigError.InvalidData(["LEADQ_LEASE_MS"], "LEADQ_LEASE_MS must be …")
      const lines = yield* logged(Cause.parallel(Cause.fail(ConfigError.And(a, b)), Cause.parallel(Cause.fail(a), Cause.fail(ConfigError.And(a, b)))))
      expect(lines).toHaveLength(1)
      expect(lines[0]!.message).toBe(
        `Invalid configuration: (Invalid data at LOG_LEVEL: "LOG_LEVEL must be …") and (Invalid data at LEADQ_LEASE_MS: "LEADQ_LEASE_MS must be …")`
      )
    }))

  it.effect("any other failure: logged with its cause and the service's name", () =>
    Effect.gen(function*() {
      const lines = yield* logged(Cause.die(new Error("database unreachable")))
      expect(lines).toHaveLength(1)
      expect(lines[0]!.message).toBe("the gateway stopped on an error")
      expect(lines[0]!.cause).toContain("database unreachable")
    }))

  it.effect("is reported even when LOG_LEVEL silences everything", () =>
    Effect.gen(function*() {
      const lines = yield* logged(Cause.fail(ConfigError.InvalidData(["PORT"], "PORT must be …")), LogLevel.None)
      expect(lines.map((l) => l.message)).toEqual([`Invalid configuration: (Invalid data at PORT: "PORT must be …")`])
      expect(yield* logged(Cause.die("boom"), LogLevel.None)).toHaveLength(1)
    }))

  it.effect("an interruption (SIGTERM): nothing", () =>
    Effect.gen(function*() {
      expect(yield* logged(Cause.interrupt("x" as never))).toEqual([])
    }))
})
