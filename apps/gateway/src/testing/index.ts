import * as HttpServer from "@effect/platform/HttpServer"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { ApiKeyId, OrganizationId } from "@leadq/domain"
import {
  ApiKeyRepository,
  AuthFailures,
  CallLogRepository,
  CampaignRepository,
  CarrierEvents,
  IdempotencyKeys,
  LeadQueue,
  LeadRepository,
  randomToken
} from "@leadq/domain"
import type { Database, QueueWakeups } from "@leadq/store"
import { layerFromUrl, parseDatabaseUrl, StoreLive } from "@leadq/store"
import type { Engine } from "@leadq/store/testing"
import { freshDatabaseUrl } from "@leadq/store/testing"
import type { Scope } from "effect"
import { Context, Effect, Either, Layer, Logger, LogLevel } from "effect"
import { GatewayServerLive } from "../Gateway.js"
import type { GatewaySettings } from "../GatewayConfig.js"
import { GatewayConfig } from "../GatewayConfig.js"

/**
 * A real gateway for tests and tools: a fresh database of the given engine (dropped afterwards),
 * the store on it, and the gateway listening on a free port of 127.0.0.1, with one organization
 * and its key ready. The store's services are in the layer's output too, so a test can stage
 * states through the very code the worker runs (`LeadQueue.claimDue`, `startDial`, …) on the
 * same database and, for SQLite, the same connection.
 */
export interface TestOrganization {
  readonly organizationId: OrganizationId
  readonly apiKeyId: ApiKeyId
  readonly apiKey: string
}

export interface TestGatewayInfo extends TestOrganization {
  readonly engine: Engine
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly baseUrl: string
  /** The `DATABASE_URL` of its fresh database (a worker or the CLI may be pointed at it). */
  readonly databaseUrl: string
  /** Another organization with its own key (for tenant-isolation checks). */
  readonly newOrganization: (name?: string) => Effect.Effect<TestOrganization>
}

export class TestGateway extends Context.Tag("leadq/gateway/TestGateway")<TestGateway, TestGatewayInfo>() {}

/** Defaults for tests: a free port on loopback, and brute-force limits no suite will hit by accident. */
export const TEST_SETTINGS: Partial<GatewaySettings> = {
  port: 0,
  host: "127.0.0.1",
  auth_max_failures_per_address: 1_000_000,
  auth_max_failures_per_key: 1_000_000
}

export type TestGatewayServices =
  | TestGateway
  | CampaignRepository
  | LeadRepository
  | CallLogRepository
  | LeadQueue
  | ApiKeyRepository
  | AuthFailures
  | CarrierEvents
  | IdempotencyKeys
  | QueueWakeups
  | SqlClient.SqlClient
  | Database
  | HttpServer.HttpServer

export interface TestGatewayOptions {
  /** Gateway settings over `TEST_SETTINGS` (e.g. low brute-force limits, a webhook secret). */
  readonly settings?: Partial<GatewaySettings> | undefined
  /** Minimum log level inside the gateway (Warning by default: tests read their own output). */
  readonly logLevel?: LogLevel.LogLevel | undefined
}

export const testGatewayLayer = (engine: Engine, options: TestGatewayOptions = {}): Layer.Layer<TestGatewayServices> =>
  Layer.unwrapScoped(
    Effect.gen(function*() {
      const databaseUrl = yield* freshDatabaseUrl(engine)
      const parsed = parseDatabaseUrl(databaseUrl)
      if (Either.isLeft(parsed)) return yield* Effect.dieMessage(parsed.left)
      const store = StoreLive.pipe(Layer.provideMerge(layerFromUrl(parsed.right, { maxConnections: 20 })))
      const gateway = GatewayServerLive.pipe(
        Layer.provide(GatewayConfig.layer({ ...TEST_SETTINGS, ...options.settings })),
        Layer.provideMerge(store)
      )
      const info = Layer.effect(
        TestGateway,
        Effect.gen(function*() {
          const server = yield* HttpServer.HttpServer
          const keys = yield* ApiKeyRepository
          const address = server.address
          if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("the test gateway must listen on TCP")
          const newOrganization = (name?: string) =>
            Effect.map(keys.createKey(name ?? `test-org-${randomToken(10)}`), (issued) => ({
              organizationId: issued.organization_id,
              apiKeyId: issued.api_key_id,
              apiKey: issued.api_key
            }))
          const first = yield* newOrganization()
          return { ...first, engine, databaseUrl, baseUrl: `http://127.0.0.1:${address.port}`, newOrganization }
        })
      )
      return info.pipe(
        Layer.provideMerge(gateway),
        Layer.provide(Logger.minimumLogLevel(options.logLevel ?? LogLevel.Warning))
      ) as Layer.Layer<TestGatewayServices>
    })
  )

/** The same as a scoped effect: the gateway runs until the scope closes. */
export const startTestGateway = (
  engine: Engine,
  options: TestGatewayOptions = {}
): Effect.Effect<TestGatewayInfo & { readonly context: Context.Context<TestGatewayServices> }, never, Scope.Scope> =>
  Effect.map(Layer.build(testGatewayLayer(engine, options)), (context) => ({ ...Context.get(context, TestGateway), context }))

export type { Engine } from "@leadq/store/testing"
export { testEngines } from "@leadq/store/testing"

// Re-exported so a suite can name every service the layer gives it without importing the domain.
export { ApiKeyRepository, AuthFailures, CallLogRepository, CampaignRepository, CarrierEvents, IdempotencyKeys, LeadQueue, LeadRepository }
