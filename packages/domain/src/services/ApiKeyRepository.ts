import type { Effect } from "effect"
import { Context } from "effect"
import type { ApiKeyNotFound, Unauthorized } from "../Errors.js"
import type { Caller, IssuedApiKey } from "../Organization.js"

/** Organizations and their API keys; only hashes of key secrets are stored. */
export class ApiKeyRepository extends Context.Tag("leadq/ApiKeyRepository")<ApiKeyRepository, {
  /**
   * A new key for the organization of that name, created on first use. The plain key is in the
   * answer and nowhere else.
   */
  readonly createKey: (organizationName: string) => Effect.Effect<IssuedApiKey>
  /** Resolve a bearer token; unknown, malformed and revoked keys are all `Unauthorized`. */
  readonly authenticate: (token: string) => Effect.Effect<Caller, Unauthorized>
  readonly revoke: (apiKeyId: string) => Effect.Effect<void, ApiKeyNotFound>
  /** How many organizations exist (a first start creates the demo organization when none does). */
  readonly countOrganizations: Effect.Effect<number>
}>() {}
