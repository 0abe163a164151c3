import { checkingLogLevel, Settings } from "@leadq/runtime"
import type { ConfigError, Redacted } from "effect"
import { Config, Context, Effect, Layer, Option } from "effect"

/**
 * Everything the gateway reads from its environment, read and validated once at start-up.
 * Every setting has a default; a bad value stops the start with a message naming the variable
 * (the parsers are the ones every process shares, `@leadq/runtime`'s `Settings`). `LOG_LEVEL` is
 * checked with them, so that a bad level is reported with the others.
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

export const GatewaySettingsConfig: Config.Config<GatewaySettings> = checkingLogLevel(Config.all({
  port: Settings.port("PORT", { fallback: DEFAULT_SETTINGS.port }),
  host: Settings.host("HOST", { fallback: DEFAULT_SETTINGS.host }),
  webhookSecret: Config.option(Settings.secret("LEADQ_CARRIER_WEBHOOK_SECRET")),
  maxJsonBodyBytes: Settings.bytes("LEADQ_MAX_JSON_BODY_BYTES", { min: 1, max: 10 * 1024 * 1024, fallback: DEFAULT_SETTINGS.maxJsonBodyBytes }),
  authMaxFailuresPerAddress: Settings.wholeNumber("LEADQ_AUTH_MAX_FAILURES_PER_ADDRESS", {
    min: 1,
    max: 1_000_000,
    fallback: DEFAULT_SETTINGS.authMaxFailuresPerAddress
  }),
  authMaxFailuresPerKey: Settings.wholeNumber("LEADQ_AUTH_MAX_FAILURES_PER_KEY", {
    min: 1,
    max: 1_000_000,
    fallback: DEFAULT_SETTINGS.authMaxFailuresPerKey
  }),
  authFailureWindowSeconds: Settings.seconds("LEADQ_AUTH_FAILURE_WINDOW_SECONDS", {
    min: 1,
    max: 86_400,
    fallback: DEFAULT_SETTINGS.authFailureWindowSeconds
  }),
  shutdownGraceSeconds: Settings.seconds("LEADQ_SHUTDOWN_GRACE_SECONDS", { min: 1, max: 3600, fallback: DEFAULT_SETTINGS.shutdownGraceSeconds }),
  tracing: Settings.flag("LEADQ_TRACING", { fallback: DEFAULT_SETTINGS.tracing })
}))

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
