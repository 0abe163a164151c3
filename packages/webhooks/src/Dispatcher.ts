import { randomToken } from "@leadq/domain"
import { Cause, Clock, Data, Duration, Effect, FiberSet, Layer, Option, Random } from "effect"
import * as os from "node:os"
import type { AttemptOutcome, Claim, EndpointRow, HeadRow } from "@leadq/store"
import { WebhookDeliveries } from "@leadq/store"
import { nextStep } from "./RetrySchedule.js"
import { Sender, WebhookHttpClientLive } from "./Sender.js"
import type { WebhookSettings } from "./WebhookSettings.js"
import { WebhookConfig } from "./WebhookSettings.js"

/** One of the dispatcher's loops died: the process cannot deliver any more, so it stops (exit 1). */
export class DispatcherLoopFailed extends Data.TaggedError("DispatcherLoopFailed")<{
  readonly loop: string
  readonly cause: Cause.Cause<unknown>
}> {
  override get message() {
    return `webhook dispatcher loop "${this.loop}" failed: ${Cause.pretty(this.cause)}`
  }
}

const PRUNE_EVERY_MS = 3_600_000
/** Most attempts written in one transaction (and so, after a crash, sent again at most). */
export const RECORD_BATCH = 20

/**
 * The webhook dispatcher (docs/webhooks.md "Delivery"). Every poll it claims the endpoints that
 * are due — new events, a retry come due, a re-send — up to `webhook_concurrency` at once, and
 * serves each on its own fiber: fan the outbox out into the endpoint's deliveries, then send the
 * head of its line until the line is empty or the head must wait for a retry, then give the
 * endpoint back. One endpoint at a time per claim, one delivery at a time per endpoint: events
 * reach a receiver in commit order, and a slow receiver holds its own fiber only.
 *
 * It runs beside the dialing worker and the gateway, never inside their transactions: the
 * outbox rows are written by the changes themselves; everything here happens after they commit.
 */
export class Dispatcher extends Effect.Service<Dispatcher>()("leadq/webhooks/Dispatcher", {
  scoped: Effect.gen(function*() {
    const settings = yield* WebhookConfig
    const store = yield* WebhookDeliveries
    const sender = yield* Sender
    const owner = `${os.hostname()}-${process.pid}-${randomToken(6)}`
    const loops = yield* FiberSet.make<unknown, DispatcherLoopFailed>()
    const serving = yield* FiberSet.make<void, never>()
    const active = new Set<string>()

    const outcomeOf = Effect.fn("leadq/webhooks/Dispatcher.attempt")(function*(target: EndpointRow, delivery: HeadRow) {
      const now = yield* Clock.currentTimeMillis
      const result = yield* sender.send(
        target.url,
        target.secret,
        { id: delivery.event_id, type: delivery.event_type, created_at: delivery.event_created_at!, payload: delivery.payload! },
        settings.webhook_timeout_ms,
        now
      )
      const at = yield* Clock.currentTimeMillis
      if (result._tag === "answered" && result.status >= 200 && result.status < 300) {
        return { _tag: "delivered", at, status: result.status } satisfies AttemptOutcome
      }
      const status = result._tag === "answered" ? result.status : null
      const error = result._tag === "answered" ? `HTTP ${result.status}${result.body === "" ? "" : `: ${result.body}`}` : result.error
      const step = nextStep(
        { base_ms: settings.webhook_retry_base_ms, max_ms: settings.webhook_retry_max_ms, max_age_ms: settings.webhook_max_age_ms },
        delivery.attempts + 1,
        delivery.queued_at,
        at,
        yield* Random.next
      )
      return step._tag === "give_up"
        ? ({ _tag: "failed", at, status, error } satisfies AttemptOutcome)
        : ({ _tag: "retry", at, status, error, next_at: step.at } satisfies AttemptOutcome)
    })

    /**
     * Serves one claimed endpoint until its line is empty or waiting; then gives it back. The
     * deliveries at the head are sent one after the other, each only once the one before was
     * delivered or failed; their outcomes are written together, up to `RECORD_BATCH` at a time.
     */
    const serve = Effect.fn("leadq/webhooks/Dispatcher.serve")(function*(claim: Claim) {
      const target = yield* store.endpoint(claim.endpoint_id)
      if (Option.isNone(target) || target.value.deleted_at !== null || target.value.enabled !== 1) {
        // Deleted or disabled since it was claimed: nothing is sent; looked at again later.
        return yield* store.release(claim, (yield* Clock.currentTimeMillis) + settings.webhook_poll_interval_ms)
      }
      const endpoint = target.value
      // The claim is renewed once a quarter of the lease has passed, before an attempt starts; an
      // attempt lasts at most the timeout (at most half the lease), so no other dispatcher can
      // take the endpoint while one is in flight.
      let renewed = yield* Clock.currentTimeMillis
      const keepClaim = Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        if (now - renewed < settings.webhook_lease_ms / 4) return
        yield* store.renew(claim, now, settings.webhook_lease_ms)
        renewed = now
      })
      while (true) {
        yield* keepClaim
        const read = yield* store.fanOut(claim, endpoint)
        const line = yield* store.heads(endpoint.id, RECORD_BATCH)
        if (line.length === 0) {
          if (read > 0) continue
          return yield* store.release(claim, (yield* Clock.currentTimeMillis) + settings.webhook_poll_interval_ms)
        }
        const done: Array<{ readonly delivery_id: string; readonly outcome: AttemptOutcome }> = []
        let waitUntil: number | undefined
        for (const delivery of line) {
          const now = yield* Clock.currentTimeMillis
          if (delivery.next_attempt_at > now) {
            waitUntil = delivery.next_attempt_at
            break
          }
          yield* keepClaim
          const outcome: AttemptOutcome = delivery.payload === null || delivery.event_created_at === null
            ? { _tag: "failed", at: now, status: null, error: "the event was pruned from the outbox (retention)" }
            : yield* outcomeOf(endpoint, delivery)
          done.push({ delivery_id: delivery.id, outcome })
          if (outcome._tag === "retry") {
            yield* Effect.logDebug("webhook delivery attempt failed").pipe(
              Effect.annotateLogs({ endpoint_id: endpoint.id, delivery_id: delivery.id, event_id: delivery.event_id, error: outcome.error })
            )
            // Head-of-line: nothing after it goes before it is delivered or failed.
            waitUntil = outcome.next_at
            break
          }
        }
        yield* store.recordAttempts(claim, done)
        if (waitUntil !== undefined && waitUntil > (yield* Clock.currentTimeMillis)) {
          return yield* store.release(claim, waitUntil)
        }
      }
    }, (effect, claim) =>
      effect.pipe(
        Effect.catchTag("ClaimLost", () => Effect.logInfo("webhook endpoint taken over by another dispatcher").pipe(
          Effect.annotateLogs({ endpoint_id: claim.endpoint_id })
        )),
        // A database failure on one endpoint is not the dispatcher's end: the claim runs out and
        // the endpoint is served again (at least once: its head delivery is still pending).
        Effect.catchAllCause((cause) =>
          Cause.isInterruptedOnly(cause)
            ? Effect.interrupt
            : Effect.logWarning("webhook endpoint not served", cause).pipe(Effect.annotateLogs({ endpoint_id: claim.endpoint_id }))
        ),
        Effect.ensuring(Effect.sync(() => active.delete(claim.endpoint_id)))
      ))

    const tick = Effect.gen(function*() {
      const free = settings.webhook_concurrency - active.size
      if (free <= 0) return
      const now = yield* Clock.currentTimeMillis
      yield* store.ensureDispatchRows(now)
      const claims = yield* store.claimDue(owner, now, settings.webhook_lease_ms, free)
      for (const claim of claims) {
        active.add(claim.endpoint_id)
        yield* FiberSet.run(serving, serve(claim))
      }
    })

    const pollLoop = Effect.gen(function*() {
      while (true) {
        // A failing poll (the database briefly away) is retried at the next one.
        yield* tick.pipe(Effect.catchAllDefect((d) => Effect.logWarning("webhook poll failed", d)))
        yield* Effect.sleep(Duration.millis(settings.webhook_poll_interval_ms))
      }
    })

    const pruneLoop = Effect.gen(function*() {
      while (true) {
        const now = yield* Clock.currentTimeMillis
        const pruned = yield* store.prune(now - settings.webhook_retention_ms).pipe(
          Effect.catchAllDefect((d) => Effect.as(Effect.logWarning("webhook retention pruning failed", d), { deliveries: 0, events: 0 }))
        )
        if (pruned.deliveries + pruned.events > 0) yield* Effect.logInfo("webhook history pruned", pruned)
        yield* Effect.sleep(Duration.millis(PRUNE_EVERY_MS))
      }
    })

    const start = (loop: string, body: Effect.Effect<unknown>) =>
      FiberSet.run(
        loops,
        body.pipe(
          Effect.catchAllCause((cause) =>
            Cause.isInterruptedOnly(cause)
              ? Effect.interrupt
              : Effect.zipRight(
                Effect.logError(`webhook dispatcher loop "${loop}" failed; the dispatcher stops`, cause),
                Effect.fail(new DispatcherLoopFailed({ loop, cause }))
              )
          ),
          Effect.annotateLogs({ loop })
        )
      )

    yield* Effect.logInfo("webhook dispatcher starting", { ...settings, dispatcher_id: owner })
    yield* start("webhook poll", pollLoop)
    yield* start("webhook retention", pruneLoop)
    return {
      dispatcher_id: owner,
      /** Fails with the first loop that failed; never succeeds while the loops run. */
      join: FiberSet.join(loops)
    }
  }).pipe(Effect.annotateLogs({ service: "leadq-webhooks" }))
}) {}

/** The dispatcher with the settings it is given (tests, embedding); its store and HTTP client from below. */
export const DispatcherRunner = Dispatcher.Default.pipe(Layer.provide(Sender.Default), Layer.provide(WebhookDeliveries.Default))

/**
 * The dispatcher supervised, as the worker process and `pnpm start` run it: a layer that stays
 * in its build while the dispatcher runs and fails with `DispatcherLoopFailed` when one of its
 * loops dies (the process then exits 1, like the worker's loops). Off (`LEADQ_WEBHOOKS=false`):
 * nothing runs, and the outbox only grows until it is turned on.
 */
export const dispatcherSupervised = (settings: WebhookSettings) =>
  settings.webhooks
    ? Layer.scopedDiscard(Effect.flatMap(Dispatcher, (d) => d.join)).pipe(
      Layer.provide(DispatcherRunner),
      Layer.provide(Layer.succeed(WebhookConfig, settings)),
      Layer.provide(WebhookHttpClientLive)
    )
    : Layer.effectDiscard(Effect.logInfo("webhook dispatcher off (LEADQ_WEBHOOKS=false)"))
