// Imported by the `leadq` command tree on every start (`--help` included), where the client and
// the API contract are not loaded: deep imports, nothing but Config and Schema.
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

/**
 * How a program finds its gateway: the one definition of `LEADQ_URL` and `LEADQ_API_KEY`, what
 * they may hold and what a bad value is told, shared by `LeadqClient.layerConfig` and the
 * `leadq` CLI (whose `--url` / `--api-key` flags decode with the same schemas).
 */

/** A local gateway, on the port `pnpm start` listens on. */
export const DEFAULT_BASE_URL = "http://127.0.0.1:8080"

const isHttpUrl = (url: string) => {
  try {
    return ["http:", "https:"].includes(new URL(url).protocol)
  } catch {
    return false
  }
}

/** The gateway: an `http://` or `https://` URL (surrounding blanks ignored). */
export const GatewayUrl: Schema.Schema<string, string> = Schema.Trim.pipe(
  Schema.filter(isHttpUrl, {
    message: (issue) => `The gateway URL must be http:// or https:// (such as ${DEFAULT_BASE_URL}), got "${String(issue.actual)}".`
  })
)

/** An API key (`lq_…`): not blank, kept redacted from the moment it is read. */
export const ApiKey: Schema.Schema<Redacted.Redacted<string>, string> = Schema.Redacted(Schema.Trim.pipe(Schema.nonEmptyString()))
  .annotations({ message: () => ({ message: "The API key is blank.", override: true }) })

/**
 * An environment variable decoded with `schema`. Unset and blank are the same (`LEADQ_URL=` in a
 * shell script means "no value"): missing data, so a default or another source applies. A value
 * the schema refuses is invalid data, with the schema's message.
 */
export const environmentSetting = <A>(name: string, schema: Schema.Schema<A, string>): Config.Config<A> => {
  const decode = Schema.decodeEither(schema)
  return Config.string(name).pipe(
    Config.mapOrFail((raw) =>
      raw.trim() === ""
        ? Either.left(ConfigError.MissingData([], `Expected ${name} to be set, and not blank`))
        : Either.mapLeft(decode(raw), (error) => ConfigError.InvalidData([], ParseResult.TreeFormatter.formatErrorSync(error)))
    )
  )
}

/** `LEADQ_URL`, when set: see `GatewayUrl`. */
export const GatewayUrlConfig: Config.Config<string> = environmentSetting("LEADQ_URL", GatewayUrl)

/** `LEADQ_API_KEY`, when set: see `ApiKey`. */
export const ApiKeyConfig: Config.Config<Redacted.Redacted<string>> = environmentSetting("LEADQ_API_KEY", ApiKey)
