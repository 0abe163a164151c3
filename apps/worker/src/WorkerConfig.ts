import type { HttpCarrierConfig, SimulatedCarrierConfig } from "@leadq/telephony"
import { DEFAULT_HTTP_CARRIER, DEFAULT_SIM_DURATION_MS, DEFAULT_SIM_RING_MS } from "@leadq/telephony"
import { Config, ConfigError, Context, Effect, Either, Layer, LogLevel, Option } from "effect"
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

const parseWhole = (name: string, raw: string, min: number, max: number, what: string) => {
  const n = Number(raw.trim())
  return raw.trim() !== "" && Number.isInteger(n) && n >= min && n <= max
    ? Either.right(n)
    : Either.left(ConfigError.InvalidData([name], `${name} must be ${what}, got "${raw}"`))
}

/** A whole number from the environment, with the variable's name and the rule in the message. */
const wholeNumber = (name: string, fallback: number, min: number, max: number, what: string) =>
  Config.string(name).pipe(
    Config.withDefault(String(fallback)),
    Config.mapOrFail((raw) => parseWhole(name, raw, min, max, what))
  )

const ms = (name: string, fallback: number, min: number) =>
  wholeNumber(name, fallback, min, Number.MAX_SAFE_INTEGER, `a whole number of milliseconds, at least ${min}`)

const count = (name: string, fallback: number, min: number, max: number) =>
  wholeNumber(name, fallback, min, max, `a whole number from ${min} to ${max}`)

/** A count that may be left unset (`undefined`: someone else decides). */
const optionalCount = (name: string, min: number, max: number) =>
  Config.option(Config.string(name)).pipe(
    Config.mapOrFail((raw) =>
      Option.isNone(raw) ? Either.right(undefined) : parseWhole(name, raw.value, min, max, `a whole number from ${min} to ${max}`)
    )
  )

const httpUrl = (name: string) =>
  Config.string(name).pipe(
    Config.validate({
      message: "must be an http:// or https:// URL, e.g. https://api.dialnexa.example",
      validation: (raw) => {
        try {
          return ["http:", "https:"].includes(new URL(raw).protocol)
        } catch {
          return false
        }
      }
    })
  )

const simulatedSettings: Config.Config<CarrierSettings> = Config.all({
  ledger_path: Config.option(Config.nonEmptyString("LEADQ_SIM_LEDGER")).pipe(Config.map(Option.getOrUndefined)),
  ring_ms: ms("LEADQ_SIM_RING_MS", DEFAULT_SIM_RING_MS, 0),
  duration_ms: ms("LEADQ_SIM_DURATION_MS", DEFAULT_SIM_DURATION_MS, 0)
}).pipe(Config.map((simulated) => ({ kind: "simulated", simulated })))

const d = DEFAULT_HTTP_CARRIER
const httpSettings: Config.Config<CarrierSettings> = Config.all({
  base_url: httpUrl("LEADQ_CARRIER_URL"),
  api_key: Config.redacted("LEADQ_CARRIER_API_KEY"),
  request_timeout_ms: ms("LEADQ_CARRIER_TIMEOUT_MS", d.request_timeout_ms, 100),
  dial_retries: count("LEADQ_CARRIER_DIAL_RETRIES", d.dial_retries, 0, 10),
  retry_base_ms: ms("LEADQ_CARRIER_RETRY_BASE_MS", d.retry_base_ms, 1),
  poll_ms: ms("LEADQ_CARRIER_POLL_MS", d.poll_ms, 10),
  status_poll_ms: ms("LEADQ_CARRIER_STATUS_POLL_MS", d.status_poll_ms, 100),
  max_call_ms: ms("LEADQ_CARRIER_MAX_CALL_MS", d.max_call_ms, 1_000)
}).pipe(Config.map((http) => ({ kind: "http", http })))

const carrierKind = Config.literal("simulated", "http")("LEADQ_CARRIER").pipe(Config.withDefault("simulated" as const))

const baseSettings = Config.all({
  worker_id: Config.nonEmptyString("LEADQ_WORKER_ID").pipe(
    Config.validate({ message: "LEADQ_WORKER_ID must be at most 100 characters", validation: (s) => s.length <= 100 }),
    Config.option,
    Config.map(Option.getOrElse(defaultWorkerId))
  ),
  poll_interval_ms: ms("LEADQ_POLL_INTERVAL_MS", DEFAULT_WORKER_SETTINGS.poll_interval_ms, 10),
  lease_ms: ms("LEADQ_LEASE_MS", DEFAULT_WORKER_SETTINGS.lease_ms, 300),
  sweep_interval_ms: ms("LEADQ_SWEEP_INTERVAL_MS", DEFAULT_WORKER_SETTINGS.sweep_interval_ms, 10),
  max_in_flight: count("LEADQ_MAX_IN_FLIGHT", DEFAULT_WORKER_SETTINGS.max_in_flight, 1, 1_000),
  shutdown_grace_ms: ms("LEADQ_SHUTDOWN_GRACE_MS", DEFAULT_WORKER_SETTINGS.shutdown_grace_ms, 0),
  dial_batch: optionalCount("LEADQ_DIAL_BATCH", 1, 1_000),
  // Read by the logger, which takes an unknown level as Info so that it can report this failure.
  log_level: Config.logLevel("LOG_LEVEL").pipe(Config.withDefault(LogLevel.Info))
})

/**
 * The worker's configuration from the environment (docs/design.md §7): every setting has a
 * default, and bad values stop the start with each variable's name and what it must be. The
 * carrier's own settings are read once `LEADQ_CARRIER` says which carrier it is.
 */
export const workerSettingsFromEnv = Effect.gen(function*() {
  const { log_level: _, ...base } = yield* baseSettings
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
