import type { HttpCarrierConfig, SimulatedCarrierConfig } from "@leadq/telephony"
import { DEFAULT_HTTP_CARRIER, DEFAULT_SIM_DURATION_MS, DEFAULT_SIM_RING_MS } from "@leadq/telephony"
import { checkingLogLevel, Settings } from "@leadq/runtime"
import { Config, Context, Effect, Layer, Option } from "effect"
import * as os from "node:os"

export type CarrierSettings =
  | { readonly kind: "simulated"; readonly simulated: SimulatedCarrierConfig }
  | { readonly kind: "http"; readonly http: HttpCarrierConfig }

/** Everything the worker is told from outside; read once, at start-up. */
export interface WorkerSettings {
  /** Names this worker in claims, logs and the simulated carrier's ledger. */
  readonly worker_id: string
  /** The claim loop looks for due leads at least this often (wake-ups come sooner). */
  readonly poll_interval_ms: number
  /** How long a claim holds without renewal; renewed every third of it while the call lasts. */
  readonly lease_ms: number
  /** How often expired claims (dead or stalled workers) are looked for. */
  readonly sweep_interval_ms: number
  /** Leads this worker holds at once: claimed, being dialled or in a call. */
  readonly max_in_flight: number
  /** On SIGTERM, how long calls in progress get to finish before the worker exits anyway. */
  readonly shutdown_grace_ms: number
  /**
   * Most dials started in one transaction before they are placed; unset: the carrier's own
   * preference (the simulated carrier: a whole claim batch; the HTTP carrier: 1).
   */
  readonly dial_batch?: number | undefined
  readonly carrier: CarrierSettings
}

export class WorkerConfig extends Context.Tag("leadq/worker/WorkerConfig")<WorkerConfig, WorkerSettings>() {}

export const defaultWorkerId = () => `${os.hostname()}-${process.pid}`

export const DEFAULT_WORKER_SETTINGS: Omit<WorkerSettings, "worker_id"> = {
  poll_interval_ms: 1_000,
  lease_ms: 30_000,
  sweep_interval_ms: 5_000,
  max_in_flight: 10,
  shutdown_grace_ms: 30_000,
  carrier: { kind: "simulated", simulated: { ring_ms: DEFAULT_SIM_RING_MS, duration_ms: DEFAULT_SIM_DURATION_MS } }
}

/** Settings for tests and embedding: the defaults, with some of them replaced. */
export const workerSettings = (overrides: Partial<WorkerSettings> = {}): WorkerSettings => ({
  worker_id: defaultWorkerId(),
  ...DEFAULT_WORKER_SETTINGS,
  ...overrides
})

const { milliseconds, wholeNumber } = Settings

const simulatedSettings: Config.Config<CarrierSettings> = Config.all({
  ledger: Settings.text("LEADQ_SIM_LEDGER", { maxLength: 4096 }).pipe(Config.option, Config.map(Option.getOrUndefined)),
  ring_ms: milliseconds("LEADQ_SIM_RING_MS", { min: 0, fallback: DEFAULT_SIM_RING_MS }),
  duration_ms: milliseconds("LEADQ_SIM_DURATION_MS", { min: 0, fallback: DEFAULT_SIM_DURATION_MS })
}).pipe(Config.map((simulated) => ({ kind: "simulated", simulated })))

const d = DEFAULT_HTTP_CARRIER
const httpSettings: Config.Config<CarrierSettings> = Config.all({
  url: Settings.httpUrl("LEADQ_CARRIER_URL"),
  api_key: Settings.secret("LEADQ_CARRIER_API_KEY"),
  timeout_ms: milliseconds("LEADQ_CARRIER_TIMEOUT_MS", { min: 100, fallback: d.timeout_ms }),
  dial_retries: wholeNumber("LEADQ_CARRIER_DIAL_RETRIES", { min: 0, max: 10, fallback: d.dial_retries }),
  retry_base_ms: milliseconds("LEADQ_CARRIER_RETRY_BASE_MS", { min: 1, fallback: d.retry_base_ms }),
  poll_ms: milliseconds("LEADQ_CARRIER_POLL_MS", { min: 10, fallback: d.poll_ms }),
  status_poll_ms: milliseconds("LEADQ_CARRIER_STATUS_POLL_MS", { min: 100, fallback: d.status_poll_ms }),
  max_call_ms: milliseconds("LEADQ_CARRIER_MAX_CALL_MS", { min: 1_000, fallback: d.max_call_ms })
}).pipe(Config.map((http) => ({ kind: "http", http })))

const carrierKind = Settings.oneOf("LEADQ_CARRIER", ["simulated", "http"], { fallback: "simulated" })

const baseSettings = checkingLogLevel(Config.all({
  worker_id: Settings.text("LEADQ_WORKER_ID", { maxLength: 100 }).pipe(Config.option, Config.map(Option.getOrElse(defaultWorkerId))),
  poll_interval_ms: milliseconds("LEADQ_POLL_INTERVAL_MS", { min: 10, fallback: DEFAULT_WORKER_SETTINGS.poll_interval_ms }),
  lease_ms: milliseconds("LEADQ_LEASE_MS", { min: 300, fallback: DEFAULT_WORKER_SETTINGS.lease_ms }),
  sweep_interval_ms: milliseconds("LEADQ_SWEEP_INTERVAL_MS", { min: 10, fallback: DEFAULT_WORKER_SETTINGS.sweep_interval_ms }),
  max_in_flight: wholeNumber("LEADQ_MAX_IN_FLIGHT", { min: 1, max: 1_000, fallback: DEFAULT_WORKER_SETTINGS.max_in_flight }),
  shutdown_grace_ms: milliseconds("LEADQ_SHUTDOWN_GRACE_MS", { min: 0, fallback: DEFAULT_WORKER_SETTINGS.shutdown_grace_ms }),
  // Unset: the carrier's own preference.
  dial_batch: wholeNumber("LEADQ_DIAL_BATCH", { min: 1, max: 1_000 }).pipe(Config.option, Config.map(Option.getOrUndefined))
}))

/**
 * The worker's configuration from the environment (docs/design.md §7): every setting has a
 * default, and bad values stop the start with each variable's name and what it must be (the
 * parsers every process shares, `@leadq/runtime`'s `Settings`; `LOG_LEVEL` is checked with
 * them). The carrier's own settings are read once `LEADQ_CARRIER` says which carrier it is.
 */
export const workerSettingsFromEnv = Effect.gen(function*() {
  const base = yield* baseSettings
  const kind = yield* carrierKind
  const carrier = kind === "http" ? yield* httpSettings : yield* simulatedSettings
  return { ...base, carrier } satisfies WorkerSettings
})

export const WorkerConfigFromEnv = Layer.effect(WorkerConfig, workerSettingsFromEnv)

export const WorkerConfigWith = (settings: WorkerSettings) => Layer.succeed(WorkerConfig, settings)

/** For the start-up log line: the settings, API key redacted. */
export const describeSettings = (s: WorkerSettings) => ({
  worker_id: s.worker_id,
  poll_interval_ms: s.poll_interval_ms,
  lease_ms: s.lease_ms,
  sweep_interval_ms: s.sweep_interval_ms,
  max_in_flight: s.max_in_flight,
  shutdown_grace_ms: s.shutdown_grace_ms,
  dial_batch: s.dial_batch ?? "carrier's preference",
  carrier: s.carrier.kind === "simulated"
    ? { kind: "simulated", ...s.carrier.simulated }
    : { kind: "http", ...s.carrier.http, api_key: "<redacted>" }
})
