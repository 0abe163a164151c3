import { Config, Effect, Layer, Logger, LogLevel } from "effect"

/**
 * The worker process's logs: JSON lines when stdout is not a terminal (a process manager, a
 * container, a file), readable lines when it is — the same as the gateway's. `LOG_LEVEL` (`Info`
 * by default) sets the minimum level.
 */
export const WorkerLoggerLive: Layer.Layer<never> = Layer.unwrapEffect(
  Effect.gen(function*() {
    const level = yield* Config.logLevel("LOG_LEVEL").pipe(Config.withDefault(LogLevel.Info), Effect.orElseSucceed(() => LogLevel.Info))
    return Layer.merge(process.stdout.isTTY ? Logger.pretty : Logger.json, Logger.minimumLogLevel(level))
  })
)
