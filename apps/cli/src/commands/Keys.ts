import type { IssuedApiKey } from "@leadq/domain"
import { ApiKeyRepository } from "@leadq/domain"
import { ApiKeyRepositoryLive, layerFromUrl, parseDatabaseUrl } from "@leadq/store"
import { Effect, Either, Layer, Logger, LogLevel } from "effect"
import { Output } from "../Output.js"
import { UsageError } from "../UsageError.js"

/**
 * `leadq keys …` talk to the database itself (named by `DATABASE_URL`, or `--database-url`),
 * not to a gateway: without a key there is no gateway to ask. They are for whoever runs the
 * installation, on a machine that can reach its database.
 */
export interface DatabaseFlags {
  /** The flag, else `DATABASE_URL`, else the default SQLite file (`Cli.ts`). */
  readonly databaseUrl: string
  readonly json: boolean
}

const repository = (flags: DatabaseFlags) =>
  Effect.gen(function*() {
    const parsed = parseDatabaseUrl(flags.databaseUrl)
    if (Either.isLeft(parsed)) {
      return yield* new UsageError({ message: parsed.left, hint: "Set DATABASE_URL or pass --database-url (postgres://… or sqlite:PATH)." })
    }
    // Migrations log at info level; the key goes to stdout and nothing else should.
    return ApiKeyRepositoryLive.pipe(Layer.provide(layerFromUrl(parsed.right, { maxConnections: 1 })), Layer.provide(Logger.minimumLogLevel(LogLevel.Warning)))
  })

export interface CreateFlags extends DatabaseFlags {
  readonly org: string
}

const printIssued = (issued: IssuedApiKey) =>
  Effect.gen(function*() {
    const output = yield* Output
    if (output.json) {
      return yield* output.jsonLine({
        organization_id: issued.organization_id,
        organization_name: issued.organization_name,
        organization_created: issued.organization_created,
        api_key_id: issued.api_key_id,
        api_key: issued.api_key
      })
    }
    const p = output.paint
    yield* output.line(
      `Created API key ${p.bold(issued.api_key_id)} for ${issued.organization_created ? "the new" : "the"} organization ` +
        `"${issued.organization_name}" (${issued.organization_id}).`
    )
    yield* output.line("It is shown once and stored only as a hash: keep it now.")
    yield* output.line("")
    yield* output.line(`  LEADQ_API_KEY=${issued.api_key}`)
    yield* output.line("")
    yield* output.line(`Revoke it with: leadq keys revoke ${issued.api_key_id}`)
  })

export const create = (flags: CreateFlags) =>
  Effect.gen(function*() {
    const org = flags.org.trim()
    if (org === "" || org.length > 200) {
      return yield* new UsageError({ message: "--org must be an organization name of 1 to 200 characters." })
    }
    const layer = yield* repository(flags)
    const issued = yield* Effect.flatMap(ApiKeyRepository, (keys) => keys.createKey(org)).pipe(Effect.provide(layer))
    yield* printIssued(issued).pipe(Effect.provide(Output.layer(flags.json)))
  })

export interface RevokeFlags extends DatabaseFlags {
  readonly id: string
}

/** A key id (`key_…`), or a whole key (`lq_<id>_<secret>`), whose id is then revoked. */
const keyIdOf = (value: string): string | undefined => {
  const v = value.trim()
  if (/^key_[0-9a-z]{24}$/.test(v)) return v
  const whole = /^lq_([0-9a-z]{24})_[0-9a-z]+$/.exec(v)
  return whole === null ? undefined : `key_${whole[1]}`
}

export const revoke = (flags: RevokeFlags) =>
  Effect.gen(function*() {
    const id = keyIdOf(flags.id)
    if (id === undefined) {
      return yield* new UsageError({ message: `"${flags.id}" is not a key id (key_…) nor an API key (lq_…).` })
    }
    const layer = yield* repository(flags)
    yield* Effect.flatMap(ApiKeyRepository, (keys) => keys.revoke(id)).pipe(Effect.provide(layer))
    const output = yield* Effect.provide(Output, Output.layer(flags.json))
    if (output.json) return yield* output.jsonLine({ api_key_id: id, revoked: true })
    yield* output.line(`Revoked API key ${output.paint.bold(id)}: requests with it are now refused (401).`)
  })
