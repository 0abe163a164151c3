import { Config, ConfigError, Either, LogLevel } from "effect"

/** The names the README documents for `LOG_LEVEL`, from the most to the least verbose. */
export const LOG_LEVEL_NAMES = ["All", "Trace", "Debug", "Info", "Warning", "Error", "Fatal", "None"] as const

/**
 * Each level under its documented name (`Warning`, `None`: Effect's `_tag`) and under Effect's own
 * label (`WARN`, `OFF`), which `Config.logLevel` alone accepts; both in any case.
 */
const LEVELS: ReadonlyMap<string, LogLevel.LogLevel> = new Map(
  LogLevel.allLevels.flatMap((level) => [[level._tag.toLowerCase(), level], [level.label.toLowerCase(), level]] as const)
)

const ACCEPTED = `one of ${LOG_LEVEL_NAMES.join(", ")} (any case; Effect's labels ${
  LogLevel.allLevels.map((l) => l.label).filter((label) => !LOG_LEVEL_NAMES.some((n) => n.toUpperCase() === label)).join(", ")
} too)`

/** A log level by name, or what was wrong with the name. */
export const parseLogLevel = (raw: string): Either.Either<LogLevel.LogLevel, string> => {
  const level = LEVELS.get(raw.trim().toLowerCase())
  return level === undefined ? Either.left(`must be ${ACCEPTED}, got "${raw}"`) : Either.right(level)
}

/**
 * `LOG_LEVEL` (`Info` by default): the one parser of it, for every process. A bad value is a
 * `ConfigError` naming the variable and the accepted names.
 */
export const LogLevelSetting: Config.Config<LogLevel.LogLevel> = Config.nested(
  Config.string().pipe(
    Config.mapOrFail((raw) => Either.mapLeft(parseLogLevel(raw), (rule) => ConfigError.InvalidData([], `LOG_LEVEL ${rule}`)))
  ),
  "LOG_LEVEL"
).pipe(Config.withDefault(LogLevel.Info))

/**
 * A service's settings that also check `LOG_LEVEL`, so that a bad level is reported with the
 * service's other bad settings in one line. (The logger itself takes a bad level as `Info`, so
 * that it can still report the failure.)
 */
export const checkingLogLevel = <A>(settings: Config.Config<A>): Config.Config<A> =>
  Config.zipWith(settings, LogLevelSetting, (a) => a)
