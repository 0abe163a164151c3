import type { SqlClient } from "@effect/sql"
import type { Database, QueueWakeups } from "@leadq/store"
import { layerFromUrl, parseDatabaseUrl, StoreLive } from "@leadq/store"
import type { Engine } from "@leadq/store/testing"
import { freshDatabaseUrl } from "@leadq/store/testing"
import type {
  ApiKeyRepository,
  CallLogRepository,
  CampaignRepository,
  CarrierEvents,
  LeadQueue,
  LeadRepository
} from "@leadq/domain"
import { Effect, Either, Exit, Layer, Logger, LogLevel, ManagedRuntime, Scope } from "effect"

export type StoreServices =
  | ApiKeyRepository
  | CampaignRepository
  | LeadRepository
  | CallLogRepository
  | LeadQueue
  | CarrierEvents
  | QueueWakeups
  | SqlClient.SqlClient
  | Database

/**
 * A fresh, migrated database of either engine for one benchmark run (a temporary SQLite file, or
 * a new PostgreSQL database on the test server — `LEADQ_TEST_PG_URL`), with the store open on it
 * in this process to seed rows and read results. `close` drops it.
 */
export interface BenchDatabase {
  readonly engine: Engine
  /** The `DATABASE_URL` for the processes under test. */
  readonly url: string
  readonly run: <A, E>(effect: Effect.Effect<A, E, StoreServices>) => Promise<A>
  readonly close: () => Promise<void>
}

export const openBenchDatabase = async (engine: Engine): Promise<BenchDatabase> => {
  const scope = Effect.runSync(Scope.make())
  const url = await Effect.runPromise(Scope.extend(freshDatabaseUrl(engine), scope))
  const parsed = parseDatabaseUrl(url)
  if (Either.isLeft(parsed)) throw new Error(parsed.left)
  const runtime = ManagedRuntime.make(
    StoreLive.pipe(
      Layer.provideMerge(layerFromUrl(parsed.right, { maxConnections: 4 })),
      Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
    ) as Layer.Layer<StoreServices>
  )
  await runtime.runPromise(Effect.void)
  return {
    engine,
    url,
    run: (effect) => runtime.runPromise(effect),
    close: async () => {
      await runtime.dispose()
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  }
}
