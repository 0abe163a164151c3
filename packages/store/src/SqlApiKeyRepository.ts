import * as SqlClient from "@effect/sql/SqlClient"
import type { ApiKeyId, IssuedApiKey } from "@leadq/domain"
import { ApiKeyNotFound, ApiKeyRepository, OrganizationId, randomToken, unsafeMakeId, Unauthorized } from "@leadq/domain"
import { Clock, Effect, Layer, Option, Schema } from "effect"
import { createHash, timingSafeEqual } from "node:crypto"
import { CountRow } from "./Rows.js"
import { findOne, orDieOnSql, single } from "./Sql.js"

/**
 * API keys look like `lq_<key id>_<secret>`: the key id (public, it names the key in logs and in
 * `keys revoke`) finds the row; the secret (160 random bits) is checked against its SHA-256 hash
 * in constant time. The plain key is never stored. A fast hash is right here: the secret is
 * random, not a password, so there is nothing to brute-force offline that a slow hash would
 * protect.
 */
const TOKEN = /^lq_([0-9a-hjkmnp-tv-z]{24})_([0-9a-hjkmnp-tv-z]{32})$/

const hashSecret = (secret: string) => createHash("sha256").update(secret).digest()

const unauthorized = new Unauthorized({ message: "Invalid or missing API key." })

const OrganizationRow = Schema.Struct({ id: OrganizationId })

export const makeApiKeyRepository = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const createKey = Effect.fn("leadq/ApiKeyRepository.createKey")(function*(organizationName: string) {
    const now = yield* Clock.currentTimeMillis
    const keyId = unsafeMakeId.apiKey()
    const secret = randomToken(32)
    return yield* sql.withTransaction(
      Effect.gen(function*() {
        const existing = yield* findOne(OrganizationRow, sql`SELECT id FROM organizations WHERE name = ${organizationName}`)
        const organization_id = Option.isSome(existing) ? existing.value.id : unsafeMakeId.organization()
        if (Option.isNone(existing)) {
          yield* sql`INSERT INTO organizations ${sql.insert({ id: organization_id, name: organizationName, created_at: now })}`
        }
        yield* sql`INSERT INTO api_keys ${
          sql.insert({
            id: keyId,
            organization_id,
            secret_hash: hashSecret(secret).toString("hex"),
            created_at: now,
            revoked_at: null
          })
        }`
        return {
          organization_id,
          organization_name: organizationName,
          organization_created: Option.isNone(existing),
          api_key_id: keyId,
          api_key: `lq_${keyId.slice("key_".length)}_${secret}`
        } satisfies IssuedApiKey
      })
    )
  }, orDieOnSql)

  const authenticate = Effect.fnUntraced(function*(token: string) {
    const match = TOKEN.exec(token)
    if (match === null) return yield* Effect.fail(unauthorized)
    const keyId = `key_${match[1]}` as ApiKeyId
    // A trusted row (`TrustedRows.ts`): every request authenticates, the measured removal among
    // them: a Schema decode of this row (8 µs measured) would be 1–2% of a removal's CPU.
    const [row] = yield* sql<{ organization_id: OrganizationId; secret_hash: string; revoked_at: number | null }>`
      SELECT organization_id, secret_hash, revoked_at FROM api_keys WHERE id = ${keyId}`
    if (row === undefined || row.revoked_at !== null) return yield* Effect.fail(unauthorized)
    const expected = Buffer.from(row.secret_hash, "hex")
    const actual = hashSecret(match[2]!)
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return yield* Effect.fail(unauthorized)
    return { organization_id: row.organization_id, api_key_id: keyId }
  }, orDieOnSql)

  const revoke = Effect.fn("leadq/ApiKeyRepository.revoke")(function*(apiKeyId: string) {
    const now = yield* Clock.currentTimeMillis
    const rows = yield* sql`UPDATE api_keys SET revoked_at = ${now} WHERE id = ${apiKeyId} AND revoked_at IS NULL RETURNING id`
    if (rows.length === 0) {
      const exists = yield* sql`SELECT id FROM api_keys WHERE id = ${apiKeyId}`
      // Revoking a revoked key again is a no-op, not an error; an unknown id is.
      if (exists.length === 0) return yield* Effect.fail(ApiKeyNotFound.of(apiKeyId))
    }
  }, orDieOnSql)

  const countOrganizations = Effect.map(
    single(CountRow, sql`SELECT count(*) AS n FROM organizations`),
    (row) => row.n
  ).pipe(Effect.withSpan("leadq/ApiKeyRepository.countOrganizations"), orDieOnSql)

  return ApiKeyRepository.of({ createKey, authenticate, revoke, countOrganizations })
})

export const ApiKeyRepositoryLive: Layer.Layer<ApiKeyRepository, never, SqlClient.SqlClient> = Layer.effect(
  ApiKeyRepository,
  makeApiKeyRepository
)
