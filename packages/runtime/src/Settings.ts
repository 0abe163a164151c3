import { Config, ConfigError, Either, Redacted } from "effect"
import type { RenamedSetting } from "./RenamedSetting.js"
import { renamed } from "./RenamedSetting.js"

/**
 * The parsers the processes' settings share. Each reads one environment variable, named first;
 * `fallback` is the value when it is unset. A bad value is a `ConfigError` whose message has one
 * form everywhere: `NAME must be <rule>, got "<value>"`.
 */

/** A setting under a new name that still reads its former one (RenamedSetting.ts). */
export type { RenamedOptions, RenamedSetting } from "./RenamedSetting.js"
export { renamed, warnFormerNames } from "./RenamedSetting.js"

/** A variable read as text and checked by `parse` (`undefined`: not valid; `rule` says what is). */
export const setting = <A>(name: string, rule: string, parse: (raw: string) => A | undefined): Config.Config<A> =>
  Config.nested(
    Config.string().pipe(
      Config.mapOrFail((raw) => {
        const value = parse(raw)
        // The path is the variable (from `nested`); the message names it too, for logs read alone.
        return value === undefined ? Either.left(ConfigError.InvalidData([], `${name} must be ${rule}, got "${raw}"`)) : Either.right(value)
      })
    ),
    name
  )

const orFallback = <A>(config: Config.Config<A>, fallback: A | undefined): Config.Config<A> =>
  fallback === undefined ? config : Config.withDefault(config, fallback)

export interface WholeNumberOptions {
  readonly min: number
  /** None: no upper bound but the largest safe integer. */
  readonly max?: number | undefined
  readonly fallback?: number | undefined
}

/** An integer from `min` to `max`, surrounding blanks ignored. */
const integerSetting = (name: string, rule: string, min: number, max: number) =>
  setting(name, rule, (raw) => {
    const n = Number(raw.trim())
    return raw.trim() !== "" && Number.isInteger(n) && n >= min && n <= max ? n : undefined
  })

const wholeNumberIn = (name: string, unit: string | undefined, options: WholeNumberOptions): Config.Config<number> => {
  const { min, max = Number.MAX_SAFE_INTEGER } = options
  const what = unit === undefined ? "a whole number" : `a whole number of ${unit}`
  const rule = max === Number.MAX_SAFE_INTEGER ? `${what}, at least ${min}` : `${what} from ${min} to ${max}`
  return orFallback(integerSetting(name, rule, min, max), options.fallback)
}

/** A count, a size or a limit: a whole number within bounds. */
export const wholeNumber = (name: string, options: WholeNumberOptions) => wholeNumberIn(name, undefined, options)

/** A size in bytes. */
export const bytes = (name: string, options: WholeNumberOptions) => wholeNumberIn(name, "bytes", options)

/** A duration in whole milliseconds (variables ending in `_MS`). */
export const milliseconds = (name: string, options: WholeNumberOptions) => wholeNumberIn(name, "milliseconds", options)

/** A duration in whole seconds (variables ending in `_SECONDS`). */
export const seconds = (name: string, options: WholeNumberOptions) => wholeNumberIn(name, "seconds", options)

/**
 * A duration in milliseconds under `name` that was configured in whole seconds under `formerly`
 * (the rule: every duration in ms, its variable ending in `_MS`). The former name keeps its bounds
 * in seconds (`min` at least 1 s).
 */
export const millisecondsFormerlySeconds = (
  name: string,
  formerly: string,
  bounds: { readonly min: number; readonly max: number },
  fallback: number
): RenamedSetting<number> =>
  renamed({
    name,
    read: (n) => milliseconds(n, bounds),
    formerly,
    readFormer: (n) => Config.map(seconds(n, { min: Math.max(1, Math.ceil(bounds.min / 1000)), max: Math.floor(bounds.max / 1000) }), (s) => s * 1000),
    fallback
  })

/** A TCP port to listen on; 0 lets the system pick a free one. */
export const port = (name: string, options: { readonly fallback?: number }) =>
  orFallback(integerSetting(name, "a TCP port from 0 to 65535", 0, 65535), options.fallback)

/** A host name or address to listen on. */
export const host = (name: string, options: { readonly fallback?: string }) =>
  orFallback(setting(name, "a host name or address", (raw) => (/^[A-Za-z0-9.:[\]-]{1,253}$/.test(raw) ? raw : undefined)), options.fallback)

/** A non-empty text of at most `maxLength` characters. */
export const text = (name: string, options: { readonly maxLength: number; readonly fallback?: string }) =>
  orFallback(
    setting(name, `a non-empty text of at most ${options.maxLength} characters`, (raw) =>
      raw.length > 0 && raw.length <= options.maxLength ? raw : undefined),
    options.fallback
  )

/** An `http://` or `https://` URL. */
export const httpUrl = (name: string) =>
  setting(name, "an http:// or https:// URL, e.g. https://api.dialnexa.example", (raw) => {
    try {
      return ["http:", "https:"].includes(new URL(raw).protocol) ? raw : undefined
    } catch {
      return undefined
    }
  })

const FLAGS: ReadonlyMap<string, boolean> = new Map([
  ["true", true], ["yes", true], ["on", true], ["1", true],
  ["false", false], ["no", false], ["off", false], ["0", false]
])

/** On or off: `true`/`false` (also `yes`/`no`, `on`/`off`, `1`/`0`), any case. */
export const flag = (name: string, options: { readonly fallback?: boolean }) =>
  orFallback(setting(name, "true or false", (raw) => FLAGS.get(raw.trim().toLowerCase())), options.fallback)

/** One of a few words, exactly as listed. */
export const oneOf = <const A extends string>(name: string, values: ReadonlyArray<A>, options: { readonly fallback?: A }) =>
  orFallback(
    setting(name, `one of ${values.join(", ")}`, (raw) => values.find((v) => v === raw.trim())),
    options.fallback
  )

/** A secret (a key, a signing secret): never empty, kept redacted so that it is never logged. */
export const secret = (name: string): Config.Config<Redacted.Redacted<string>> =>
  Config.nested(
    Config.redacted().pipe(
      Config.mapOrFail((value) =>
        Redacted.value(value).length > 0 ? Either.right(value) : Either.left(ConfigError.InvalidData([], `${name} must not be empty`))
      )
    ),
    name
  )
