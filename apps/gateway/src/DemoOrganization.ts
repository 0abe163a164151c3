import type { IssuedApiKey } from "@leadq/domain"
import { ApiKeyRepository } from "@leadq/domain"
import { Console, Effect, Option } from "effect"

export const DEMO_ORGANIZATION = "demo"

/**
 * docs/design.md §7: on a database without any organization, create the demo organization with a
 * key and print the key, once (it is stored only as a hash, so this is the one chance to see
 * it). On any later start, nothing. The key goes to stdout, not to the log: logs are shipped
 * and kept, keys should not be.
 */
export const ensureDemoOrganization: Effect.Effect<Option.Option<IssuedApiKey>, never, ApiKeyRepository> = Effect.gen(
  function*() {
    const keys = yield* ApiKeyRepository
    if ((yield* keys.countOrganizations) > 0) return Option.none()
    const issued = yield* keys.createKey(DEMO_ORGANIZATION)
    yield* Console.log(
      [
        "",
        "  leadq: created the demo organization. Its API key (shown once, keep it):",
        "",
        `    LEADQ_API_KEY=${issued.api_key}`,
        "",
        `  organization ${issued.organization_id}, key ${issued.api_key_id}`,
        ""
      ].join("\n")
    )
    yield* Effect.logInfo("Created the demo organization and its first API key").pipe(
      Effect.annotateLogs({ organization_id: issued.organization_id, api_key_id: issued.api_key_id })
    )
    return Option.some(issued)
  }
).pipe(Effect.withSpan("leadq/gateway/ensureDemoOrganization"))
