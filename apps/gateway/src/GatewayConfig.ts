import type { ConfigError } from "effect"
import { Config, Context, Effect, Layer, LogLevel, Option, Redacted } from "effect"

/**
 * Everything the gateway reads from its environment, read and validated once at start-up.
 * Every setting has a default; a bad value stops the start with a message naming the variable.
 */
export interface GatewaySettings {
  /** `PORT` (8080). 0 picks a free port (tests). */
  readonly port: number
  /** `HOST` (0.0.0.0). */
  readonly host: string
  /** `LEADQ_CARRIER_WEBHOOK_SECRET`: without it the carrier webhook route answers 404. */
  readonly webhookSecret: Option.Option<Redacted.Redacted<string>>
  /** `LEADQ_MAX_JSON_BODY_BYTES` (1 MiB): the largest JSON body accepted, else 413. */
  readonly maxJsonBodyBytes: number
  /** `LEADQ_AUTH_MAX_FAILURES_PER_ADDRESS` (20): failed key attempts from one client address per window. */
  readonly authMaxFailuresPerAddress: number
  /** `LEADQ_AUTH_MAX_FAILURES_PER_KEY` (10): failed attempts on one key id per window. */
  readonly authMaxFailuresPerKey: number
  /** `LEADQ_AUTH_FAILURE_WINDOW_SECONDS` (60): the window; a locked address or key waits for its end. */
  readonly authFailureWindowSeconds: number
  /** `LEADQ_SHUTDOWN_GRACE_SECONDS` (15): how long a shutdown waits for requests in flight. */
  readonly shutdownGraceSeconds: number
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
  webhookSecret: Option.none(),
  maxJsonBodyBytes: 1024 * 1024,
  authMaxFailuresPerAddress: 20,
  authMaxFailuresPerKey: 10,
  authFailureWindowSeconds: 60,
  shutdownGraceSeconds: 15,
  tracing: false
}

const positiveInt = (name: string, fallback: number, max: number) =>
  Config.integer(name).pipe(
    Config.withDefault(fallback),
    Config.validate({ message: `must be an integer from 1 to ${max}`, validation: (n) => n >= 1 && n <= max })
  )

/**
 * `LOG_LEVEL` is read by the logger, which takes an unknown level as `Info` so that it can still
 * report this failure; checked here, so that a bad value stops the start like any other.
 */
export const LogLevelChecked = Config.logLevel("LOG_LEVEL").pipe(Config.withDefault(LogLevel.Info))

export const GatewaySettingsConfig: Config.Config<GatewaySettings> = Config.all({
  port: Config.integer("PORT").pipe(
    Config.withDefault(DEFAULT_SETTINGS.port),
    Config.validate({ message: "must be a TCP port from 0 to 65535", validation: (n) => n >= 0 && n <= 65535 })
  ),
  host: Config.string("HOST").pipe(
    Config.withDefault(DEFAULT_SETTINGS.host),
    Config.validate({ message: "must be a host name or address", validation: (h) => /^[A-Za-z0-9.:[\]-]{1,253}$/.test(h) })
  ),
  webhookSecret: Config.option(
    Config.redacted("LEADQ_CARRIER_WEBHOOK_SECRET").pipe(
      Config.validate({ message: "must not be empty", validation: (s) => Redacted.value(s).length > 0 })
    )
  ),
  maxJsonBodyBytes: positiveInt("LEADQ_MAX_JSON_BODY_BYTES", DEFAULT_SETTINGS.maxJsonBodyBytes, 10 * 1024 * 1024),
  authMaxFailuresPerAddress: positiveInt("LEADQ_AUTH_MAX_FAILURES_PER_ADDRESS", DEFAULT_SETTINGS.authMaxFailuresPerAddress, 1_000_000),
  authMaxFailuresPerKey: positiveInt("LEADQ_AUTH_MAX_FAILURES_PER_KEY", DEFAULT_SETTINGS.authMaxFailuresPerKey, 1_000_000),
  authFailureWindowSeconds: positiveInt("LEADQ_AUTH_FAILURE_WINDOW_SECONDS", DEFAULT_SETTINGS.authFailureWindowSeconds, 86_400),
  shutdownGraceSeconds: positiveInt("LEADQ_SHUTDOWN_GRACE_SECONDS", DEFAULT_SETTINGS.shutdownGraceSeconds, 3600),
  tracing: Config.boolean("LEADQ_TRACING").pipe(Config.withDefault(DEFAULT_SETTINGS.tracing))
}).pipe(Config.zipWith(LogLevelChecked, (settings) => settings))

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
