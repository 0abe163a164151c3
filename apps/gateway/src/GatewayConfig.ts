import { checkingLogLevel, Settings } from "@leadq/runtime"
import type { ConfigError, Redacted } from "effect"
import { Config, Context, Effect, Layer, Option } from "effect"

/**
 * Everything the gateway reads from its environment, read and validated once at start-up.
 * Every setting has a default; a bad value stops the start with a message naming the variable
 * (the parsers are the ones every process shares, `@leadq/runtime`'s `Settings`). `LOG_LEVEL` is
 * checked with them, so that a bad level is reported with the others. Each field is named after
 * its variable (lower case, without `LEADQ_`), and every duration is in milliseconds (docs/api.md §10).
 */
export interface GatewaySettings {
  /** `PORT` (8080). 0 picks a free port (tests). */
  readonly port: number
  /** `HOST` (0.0.0.0). */
  readonly host: string
  /** `LEADQ_CARRIER_WEBHOOK_SECRET`: without it the carrier webhook route answers 404. */
  readonly carrier_webhook_secret: Option.Option<Redacted.Redacted<string>>
  /** `LEADQ_MAX_JSON_BODY_BYTES` (1 MiB): the largest JSON body accepted, else 413. */
  readonly max_json_body_bytes: number
  /** `LEADQ_AUTH_MAX_FAILURES_PER_ADDRESS` (20): failed key attempts from one client address per window. */
  readonly auth_max_failures_per_address: number
  /** `LEADQ_AUTH_MAX_FAILURES_PER_KEY` (10): failed attempts on one key id per window. */
  readonly auth_max_failures_per_key: number
  /** `LEADQ_AUTH_FAILURE_WINDOW_MS` (60000): the window; a locked address or key waits for its end. */
  readonly auth_failure_window_ms: number
  /**
   * `LEADQ_SHUTDOWN_GRACE_MS` (15000): how long a shutdown waits for requests in flight. The
   * worker reads the same variable for its calls in progress (its own default: 30000).
   */
  readonly shutdown_grace_ms: number
  /**
   * `LEADQ_TRACING` (false): spans for requests, repository calls and SQL statements. Off unless a
   * tracer is exported somewhere (an OpenTelemetry layer at the app edge): without one, every span
   * is work on the hot path that nobody reads.
   */
  readonly tracing: boolean
}

export const DEFAULT_SETTINGS: GatewaySettings = {
  port: 8080,
  host: "0.0.0.0",
  carrier_webhook_secret: Option.none(),
  max_json_body_bytes: 1024 * 1024,
  auth_max_failures_per_address: 20,
  auth_max_failures_per_key: 10,
  auth_failure_window_ms: 60_000,
  shutdown_grace_ms: 15_000,
  tracing: false
}

/** The settings whose variable was renamed when durations moved to milliseconds (issue 10). */
const RENAMED = {
  auth_failure_window_ms: Settings.millisecondsFormerlySeconds(
    "LEADQ_AUTH_FAILURE_WINDOW_MS",
    "LEADQ_AUTH_FAILURE_WINDOW_SECONDS",
    { min: 1_000, max: 86_400_000 },
    DEFAULT_SETTINGS.auth_failure_window_ms
  ),
  shutdown_grace_ms: Settings.millisecondsFormerlySeconds(
    "LEADQ_SHUTDOWN_GRACE_MS",
    "LEADQ_SHUTDOWN_GRACE_SECONDS",
    { min: 0, max: 3_600_000 },
    DEFAULT_SETTINGS.shutdown_grace_ms
  )
}

export const GatewaySettingsConfig: Config.Config<GatewaySettings> = checkingLogLevel(Config.all({
  port: Settings.port("PORT", { fallback: DEFAULT_SETTINGS.port }),
  host: Settings.host("HOST", { fallback: DEFAULT_SETTINGS.host }),
  carrier_webhook_secret: Config.option(Settings.secret("LEADQ_CARRIER_WEBHOOK_SECRET")),
  max_json_body_bytes: Settings.bytes("LEADQ_MAX_JSON_BODY_BYTES", {
    min: 1,
    max: 10 * 1024 * 1024,
    fallback: DEFAULT_SETTINGS.max_json_body_bytes
  }),
  auth_max_failures_per_address: Settings.wholeNumber("LEADQ_AUTH_MAX_FAILURES_PER_ADDRESS", {
    min: 1,
    max: 1_000_000,
    fallback: DEFAULT_SETTINGS.auth_max_failures_per_address
  }),
  auth_max_failures_per_key: Settings.wholeNumber("LEADQ_AUTH_MAX_FAILURES_PER_KEY", {
    min: 1,
    max: 1_000_000,
    fallback: DEFAULT_SETTINGS.auth_max_failures_per_key
  }),
  auth_failure_window_ms: RENAMED.auth_failure_window_ms.config,
  shutdown_grace_ms: RENAMED.shutdown_grace_ms.config,
  tracing: Settings.flag("LEADQ_TRACING", { fallback: DEFAULT_SETTINGS.tracing })
}))

/**
 * The settings as a start checks them (`launchService`, before the database is opened): read and
 * validated, and a warning logged for each setting still given under its former name, naming the
 * variable that replaces it. Once, here: the layer reads them again as it builds, silently.
 */
export const gatewaySettingsAtStart: Effect.Effect<GatewaySettings, ConfigError.ConfigError> = Effect.zipLeft(
  GatewaySettingsConfig,
  Settings.warnFormerNames(Object.values(RENAMED))
)

export class GatewayConfig extends Context.Tag("leadq/gateway/GatewayConfig")<GatewayConfig, GatewaySettings>() {
  /** From the environment (`PORT`, `HOST`, `LEADQ_*`), validated. */
  static readonly fromEnv: Layer.Layer<GatewayConfig, ConfigError.ConfigError> = Layer.effect(
    GatewayConfig,
    Effect.map(GatewaySettingsConfig, (settings) => settings)
  )

  /** Fixed settings over the defaults (tests, embedding). */
  static readonly layer = (settings: Partial<GatewaySettings>): Layer.Layer<GatewayConfig> =>
    Layer.succeed(GatewayConfig, { ...DEFAULT_SETTINGS, ...settings })
}
