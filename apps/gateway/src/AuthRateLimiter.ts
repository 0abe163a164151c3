import { Effect, Layer } from "effect"
import { GatewayConfig } from "./GatewayConfig.js"

/**
 * Brute force against API keys is slowed down per client address and per key id: each counts
 * its failed attempts in a fixed window, and once over the threshold every attempt from that
 * address or on that key id (right or wrong) is refused with 429 until the window ends. A
 * success does not reset the count, so interleaving a valid key buys an attacker nothing.
 *
 * The state is in memory, per gateway process: a second gateway has its own counters (the
 * secrets have 160 random bits; the limit protects the database and the logs, not the secret).
 */
interface Window {
  failures: number
  readonly resetsAt: number
}

/** Past this many tracked keys or addresses, expired windows are swept and the oldest dropped. */
const MAX_TRACKED = 100_000

class FailureCounter {
  private readonly windows = new Map<string, Window>()
  constructor(private readonly threshold: number, private readonly windowMs: number) {}

  /** Milliseconds until this subject may try again, or 0. */
  blockedFor(subject: string, now: number): number {
    const w = this.windows.get(subject)
    if (w === undefined) return 0
    if (w.resetsAt <= now) {
      this.windows.delete(subject)
      return 0
    }
    return w.failures >= this.threshold ? w.resetsAt - now : 0
  }

  fail(subject: string, now: number): void {
    const w = this.windows.get(subject)
    if (w !== undefined && w.resetsAt > now) {
      w.failures++
      return
    }
    if (w !== undefined) this.windows.delete(subject)
    if (this.windows.size >= MAX_TRACKED) this.sweep(now)
    this.windows.set(subject, { failures: 1, resetsAt: now + this.windowMs })
  }

  private sweep(now: number) {
    for (const [k, w] of this.windows) if (w.resetsAt <= now) this.windows.delete(k)
    // Still full: the oldest windows (Map keeps insertion order) go first.
    for (const k of this.windows.keys()) {
      if (this.windows.size < MAX_TRACKED * 0.9) break
      this.windows.delete(k)
    }
  }
}

export class AuthRateLimiter extends Effect.Service<AuthRateLimiter>()("leadq/gateway/AuthRateLimiter", {
  effect: Effect.gen(function*() {
    const config = yield* GatewayConfig
    const windowMs = config.authFailureWindowSeconds * 1000
    const byAddress = new FailureCounter(config.authMaxFailuresPerAddress, windowMs)
    const byKey = new FailureCounter(config.authMaxFailuresPerKey, windowMs)
    return {
      /** Seconds to wait before trying again (0 when not blocked). */
      retryAfterSeconds: (address: string, keyId: string | undefined, now: number): number => {
        const ms = Math.max(byAddress.blockedFor(address, now), keyId === undefined ? 0 : byKey.blockedFor(keyId, now))
        return ms === 0 ? 0 : Math.ceil(ms / 1000)
      },
      recordFailure: (address: string, keyId: string | undefined, now: number): void => {
        byAddress.fail(address, now)
        if (keyId !== undefined) byKey.fail(keyId, now)
      }
    }
  })
}) {}

export const AuthRateLimiterLive: Layer.Layer<AuthRateLimiter, never, GatewayConfig> = AuthRateLimiter.Default
