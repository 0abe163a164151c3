import type { Cause } from "effect"
import { Cause as C, ConfigError, Effect, Logger, LogLevel } from "effect"

/** The failed settings one by one (a ConfigError holds several joined by `And`). */
const leaves = (error: ConfigError.ConfigError): ReadonlyArray<ConfigError.ConfigError> =>
  error._op === "And" ? [...leaves(error.left), ...leaves(error.right)] : [error]

/**
 * How a service that stopped is reported: bad settings as one line `Invalid configuration: …`
 * naming each variable and its rule, each once (two layers of one process may both check
 * `LOG_LEVEL`); any other failure logged with its cause; an interruption (SIGTERM, SIGINT) not at
 * all. Whatever `LOG_LEVEL` says (even `None`): a process that stops on its own says why.
 */
export const reportStop = (service: string) => (cause: Cause.Cause<unknown>): Effect.Effect<void> => {
  if (C.isInterruptedOnly(cause)) return Effect.void
  const settings = [...C.failures(cause)].filter(ConfigError.isConfigError).flatMap(leaves).map(String)
  const report = settings.length > 0
    ? Effect.logError(`Invalid configuration: ${[...new Set(settings)].join(" and ")}`)
    : Effect.logError(`${service} stopped on an error`, cause)
  return Logger.withMinimumLogLevel(report, LogLevel.All)
}
