import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { LeadqClient } from "@leadq/transport"
import type { Redacted } from "effect"
import { Layer } from "effect"

/**
 * The flags every command that talks to a gateway takes, as the command line hands them over:
 * the URL and the key already resolved (flag, else `LEADQ_URL` / `LEADQ_API_KEY`, else the
 * default URL) and validated (`Cli.ts`).
 */
export interface ConnectionFlags {
  readonly url: string
  readonly apiKey: Redacted.Redacted<string>
  readonly json: boolean
}

export const USER_AGENT = "leadq-cli/0.1.0"

/**
 * The client of that gateway. undici's own request API rather than fetch: the same keep-alive
 * pool, a fraction of the CPU per request (what bounds `remove-many` on a small machine).
 */
export const clientLayer = (flags: ConnectionFlags): Layer.Layer<LeadqClient> =>
  LeadqClient.layerWithoutHttpClient({ baseUrl: flags.url, apiKey: flags.apiKey, userAgent: USER_AGENT }).pipe(
    Layer.provide(NodeHttpClient.layerUndici)
  )
