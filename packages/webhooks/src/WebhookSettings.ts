import { Settings } from "@leadq/runtime"
import { Config, ConfigError, Context, Either, Layer } from "effect"

/**
 * The dispatcher's settings (docs/webhooks.md "Settings"), each field its variable in lower snake
 * case without `LEADQ_`; durations in milliseconds.
 */
export interface WebhookSettings {
  /** `LEADQ_WEBHOOKS`: run the dispatcher in this process (on by default). */
  readonly webhooks: boolean
  /** One delivery attempt's HTTP request, connect to last byte. */
  readonly webhook_timeout_ms: number
  /** How long a delivery is retried, counted from its event, before it is `failed`. */
  readonly webhook_max_age_ms: number
  /** The first retry waits up to this long; each further one up to twice the one before. */
  readonly webhook_retry_base_ms: number
  /** No retry waits longer than this. */
  readonly webhook_retry_max_ms: number
  /** How often endpoints with new events or due retries are looked for. */
  readonly webhook_poll_interval_ms: number
  /** How long a dispatcher's claim on an endpoint holds without renewal (at least twice the timeout). */
  readonly webhook_lease_ms: number
  /** Endpoints one dispatcher delivers to at once. */
  readonly webhook_concurrency: number
  /** Delivered and failed deliveries, and outbox events no delivery waits for, are deleted after this long. */
  readonly webhook_retention_ms: number
}

export class WebhookConfig extends Context.Tag("leadq/webhooks/WebhookConfig")<WebhookConfig, WebhookSettings>() {}

const HOUR = 3_600_000
const DAY = 24 * HOUR

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  webhooks: true,
  webhook_timeout_ms: 10_000,
  webhook_max_age_ms: DAY,
  webhook_retry_base_ms: 5_000,
  webhook_retry_max_ms: HOUR,
  webhook_poll_interval_ms: 250,
  webhook_lease_ms: 30_000,
  webhook_concurrency: 16,
  webhook_retention_ms: 7 * DAY
}

/** Settings for tests and embedding: the defaults, with some replaced. */
export const webhookSettings = (overrides: Partial<WebhookSettings> = {}): WebhookSettings => ({
  ...DEFAULT_WEBHOOK_SETTINGS,
  ...overrides
})

const { milliseconds, wholeNumber } = Settings
const d = DEFAULT_WEBHOOK_SETTINGS

/** From the environment, checked at start-up like every other setting (`@leadq/runtime` Settings). */
export const webhookSettingsFromEnv: Config.Config<WebhookSettings> = Config.all({
  webhooks: Settings.flag("LEADQ_WEBHOOKS", { fallback: d.webhooks }),
  webhook_timeout_ms: milliseconds("LEADQ_WEBHOOK_TIMEOUT_MS", { min: 100, max: 10 * 60_000, fallback: d.webhook_timeout_ms }),
  webhook_max_age_ms: milliseconds("LEADQ_WEBHOOK_MAX_AGE_MS", { min: 0, max: 30 * DAY, fallback: d.webhook_max_age_ms }),
  webhook_retry_base_ms: milliseconds("LEADQ_WEBHOOK_RETRY_BASE_MS", { min: 1, max: DAY, fallback: d.webhook_retry_base_ms }),
  webhook_retry_max_ms: milliseconds("LEADQ_WEBHOOK_RETRY_MAX_MS", { min: 1, max: DAY, fallback: d.webhook_retry_max_ms }),
  webhook_poll_interval_ms: milliseconds("LEADQ_WEBHOOK_POLL_INTERVAL_MS", { min: 10, max: 60_000, fallback: d.webhook_poll_interval_ms }),
  webhook_lease_ms: milliseconds("LEADQ_WEBHOOK_LEASE_MS", { min: 300, fallback: d.webhook_lease_ms }),
  webhook_concurrency: wholeNumber("LEADQ_WEBHOOK_CONCURRENCY", { min: 1, max: 1_000, fallback: d.webhook_concurrency }),
  webhook_retention_ms: milliseconds("LEADQ_WEBHOOK_RETENTION_MS", { min: HOUR, fallback: d.webhook_retention_ms })
}).pipe(
  Config.mapOrFail((s) =>
    // A claim must outlive the attempt it covers, or a second dispatcher could send the same event at once.
    s.webhook_lease_ms < 2 * s.webhook_timeout_ms
      ? Either.left(ConfigError.InvalidData(["LEADQ_WEBHOOK_LEASE_MS"], `LEADQ_WEBHOOK_LEASE_MS must be at least twice LEADQ_WEBHOOK_TIMEOUT_MS (${2 * s.webhook_timeout_ms}), got "${s.webhook_lease_ms}"`))
      : Either.right(s)
  )
)

export const WebhookConfigFromEnv = Layer.effect(WebhookConfig, webhookSettingsFromEnv)
export const WebhookConfigWith = (settings: WebhookSettings) => Layer.succeed(WebhookConfig, settings)
