import { Config, ConfigError, Effect, Either, Option } from "effect"

/**
 * A setting whose variable was renamed (a unit changed, say): operators still have the former
 * name in their unit files, so it keeps working. The current name wins; the former one is read
 * (and converted by its reader) only when the current one is unset, and then says so once at
 * start-up; both set is refused, since neither can be assumed to be the one meant.
 */
export interface RenamedSetting<A> {
  /** The value: from `name`, else from `formerly`, else the fallback; both set is a `ConfigError`. */
  readonly config: Config.Config<A>
  /** The start-up warning when the value came from the former name. */
  readonly warning: Config.Config<Option.Option<string>>
}

export interface RenamedOptions<A> {
  /** The variable's name now, and its reader (no fallback: unset must be seen as unset). */
  readonly name: string
  readonly read: (name: string) => Config.Config<A>
  /** The former name, and its reader: the value converted to what `name` means (e.g. seconds to ms). */
  readonly formerly: string
  readonly readFormer: (name: string) => Config.Config<A>
  readonly fallback: A
}

/** A renamed setting; its value and its warning come from one reading of both variables. */
export const renamed = <A>(options: RenamedOptions<A>): RenamedSetting<A> => {
  const { fallback, formerly, name } = options
  const read = Config.all([Config.option(options.read(name)), Config.option(options.readFormer(formerly))]).pipe(
    Config.mapOrFail(([current, former]) => {
      if (Option.isSome(current) && Option.isSome(former)) {
        return Either.left(ConfigError.InvalidData([name], `${name} and ${formerly} are both set: ${name} replaces ${formerly}, keep only ${name}`))
      }
      if (Option.isSome(current)) return Either.right({ value: current.value, warning: Option.none<string>() })
      if (Option.isSome(former)) {
        const value = former.value
        return Either.right({ value, warning: Option.some(`${formerly} is deprecated: set ${name}=${String(value)} instead, and unset ${formerly}`) })
      }
      return Either.right({ value: fallback, warning: Option.none<string>() })
    })
  )
  return { config: Config.map(read, (r) => r.value), warning: Config.map(read, (r) => r.warning) }
}

/** Logs, as one warning line each, the renamed settings that were read under their former name. */
export const warnFormerNames = (settings: ReadonlyArray<RenamedSetting<unknown>>): Effect.Effect<void, ConfigError.ConfigError> =>
  Effect.forEach(settings, (setting) => Effect.flatMap(setting.warning, Option.match({ onNone: () => Effect.void, onSome: Effect.logWarning })), {
    discard: true
  })
