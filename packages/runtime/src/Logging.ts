import { Effect, Layer, Logger, LogLevel } from "effect"
import { LogLevelSetting } from "./LogLevelSetting.js"

/**
 * A process's logs: JSON lines when stdout is not a terminal (a process manager, a container, a
 * file), readable lines when it is. `LOG_LEVEL` sets the minimum level; a bad value counts as
 * `Info` here, because this logger is what reports it (see `checkingLogLevel`).
 */
export const LoggingLive: Layer.Layer<never> = Layer.unwrapEffect(
  Effect.map(
    Effect.orElseSucceed(LogLevelSetting, () => LogLevel.Info),
    (level) => Layer.merge(process.stdout.isTTY ? Logger.pretty : Logger.json, Logger.minimumLogLevel(level))
  )
)
