import type { Engine } from "@leadq/gateway/testing"
import { startTestGateway } from "@leadq/gateway/testing"
import { readLedgerFile, SimulatedCarrierLive } from "@leadq/telephony"
import { WorkerConfigWith, WorkerRunner, workerSettings } from "@leadq/worker"
import { Effect, Exit, Fiber, Layer, Logger, LogLevel, Scope } from "effect"
import { checkHistory } from "../Check.js"
import { counterMismatches } from "../Counters.js"
import type { Crash, History, Snapshot, TenancyProbes, Violation } from "../History.js"
import { isQuiet, takeSnapshot } from "../Snapshot.js"
import { scopedLedgerFile } from "./LedgerFile.js"
import { makeLeadqHttp } from "./LeadqHttp.js"
import { makePrng } from "./Prng.js"
import type { WorkerProcess } from "./WorkerProcesses.js"
import { simulatedWorkerEnv, startWorkerProcess } from "./WorkerProcesses.js"
import { makeWorkload } from "./Workload.js"

/**
 * The randomized race of issue 4: clients remove leads, pause, resume and cancel campaigns and
 * add leads through the gateway's public API while workers dial; one worker may be killed with
 * SIGKILL halfway. Suppressions rain down too (issue 11): the campaigns share their numbers, and
 * the clients suppress numbers, remove leads with `?suppress=true` and lift suppressions. Then the whole history — client operations, the simulated carrier's ledger,
 * database snapshots — goes through the checker.
 */
export interface RaceOptions {
  readonly engine: Engine
  readonly seed: number
  /**
   * Worker processes (`node apps/worker/dist/main.js`) on the gateway's database — PostgreSQL —
   * or one worker inside this process sharing the gateway's store, as `pnpm start` runs on SQLite.
   */
  readonly workers:
    | { readonly mode: "processes"; readonly count: number; readonly killOne: boolean }
    | { readonly mode: "in-process" }
  readonly campaigns: number
  readonly leadsPerCampaign: number
  /** How long the clients keep acting. */
  readonly opsMs: number
  readonly clients: number
  readonly leaseMs?: number
  readonly progress?: (line: string) => void
  /** Environment of the worker processes over the race's own (e.g. `LEADQ_MAX_IN_FLIGHT` for a run at scale). */
  readonly workerEnv?: Readonly<Record<string, string>> | undefined
  /** How long the run may take to quiet down once the clients stop (90 s by default). */
  readonly drainTimeoutMs?: number | undefined
  /** How often a snapshot is taken while the clients act (700 ms by default; each holds every row). */
  readonly snapshotEveryMs?: number | undefined
  /** Shared numbers and suppressions in the workload (true by default). */
  readonly suppressions?: boolean | undefined
}

export interface RaceResult {
  readonly history: History
  readonly violations: ReadonlyArray<Violation>
  /** Campaign counters (GET /v1/campaigns/{id}) that differ from the campaign's rows. */
  readonly counterMismatches: ReadonlyArray<string>
  readonly stats: Readonly<Record<string, number>>
  /** What the worker processes printed (for a failure report). */
  readonly workerOutput: string
}

const sleep = (ms: number) => Effect.promise(() => new Promise((r) => setTimeout(r, ms)))

export const runRace = (options: RaceOptions) =>
  Effect.gen(function*() {
    const say = options.progress ?? (() => undefined)
    const leaseMs = options.leaseMs ?? 1_500
    const sweepMs = 200
    const rng = makePrng(options.seed)
    const ledgerPath = yield* scopedLedgerFile("leadq-race-")
    const gw = yield* startTestGateway(options.engine)
    const http = makeLeadqHttp(gw.baseUrl, gw.apiKey)
    const workload = makeWorkload(
      http,
      rng,
      String(options.seed),
      2_000_000,
      options.suppressions === false ? {} : { suppressions: { organizationId: gw.organizationId } }
    )
    const { campaignIds, leadIds, recorder } = workload
    const snapshots: Array<Snapshot> = []
    const snapshot = takeSnapshot().pipe(Effect.provide(gw.context), Effect.orDie)
    const snap = Effect.tap(snapshot, (s) => Effect.sync(() => snapshots.push(s)))

    // Campaigns and leads, through the API.
    yield* workload.seed(options.campaigns, options.leadsPerCampaign, "race")
    yield* snap
    say(`seeded ${campaignIds.length} campaigns, ${leadIds.length} leads`)

    // Workers.
    const crashes: Array<Crash> = []
    const spawned: Array<WorkerProcess> = []
    const startProcess = (id: string) =>
      Effect.sync(() => {
        const w = startWorkerProcess(id, {
          ...simulatedWorkerEnv({ databaseUrl: gw.databaseUrl, ledgerPath, leaseMs, sweepMs }),
          ...options.workerEnv
        })
        spawned.push(w)
        return w
      })
    yield* Effect.addFinalizer(() =>
      Effect.promise(async () => {
        for (const w of spawned) if (w.alive()) w.child.kill("SIGKILL")
        await Promise.all(spawned.map((w) => w.exited))
      })
    )
    const inProcess = yield* Scope.make()
    yield* Effect.addFinalizer(() => Scope.close(inProcess, Exit.void))
    if (options.workers.mode === "processes") {
      for (let i = 1; i <= options.workers.count; i++) yield* startProcess(`w${i}`)
    } else {
      const settings = workerSettings({
        worker_id: "in-process",
        lease_ms: leaseMs,
        poll_interval_ms: 100,
        sweep_interval_ms: sweepMs,
        max_in_flight: 4,
        shutdown_grace_ms: 5_000
      })
      const worker = WorkerRunner.pipe(
        Layer.provide(SimulatedCarrierLive({ ledger: ledgerPath, ring_ms: 100, duration_ms: 500 })),
        Layer.provide(WorkerConfigWith(settings)),
        Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
      )
      yield* Layer.buildWithScope(worker, inProcess).pipe(Effect.provide(gw.context))
    }

    // Clients act; snapshots are taken as they go; maybe one worker dies.
    const snapper = yield* Effect.fork(Effect.forever(Effect.zipRight(sleep(options.snapshotEveryMs ?? 700), snap)))
    const cancelTarget = campaignIds[0]!
    let heldAtCrash = 0
    const killer = Effect.gen(function*() {
      if (options.workers.mode !== "processes" || !options.workers.killOne) return
      yield* sleep(Math.floor(options.opsMs * 0.4))
      // The victim: the worker holding the most leads right now (mid-call, ideally).
      let victim = spawned[0]!
      for (let tries = 0; tries < 20; tries++) {
        const now = yield* snapshot
        const holding = (w: WorkerProcess) => now.leads.filter((l) => l.claim_id !== null && l.worker_id === w.id && l.dialled).length
        victim = spawned.reduce((a, b) => (holding(b) > holding(a) ? b : a))
        if (holding(victim) > 0) break
        yield* sleep(100)
      }
      victim.child.kill("SIGKILL")
      crashes.push({ worker_id: victim.id, killed_at: Date.now() })
      const seen = yield* snap
      heldAtCrash = seen.leads.filter((l) => l.claim_id !== null && l.worker_id === victim.id).length
      say(`killed ${victim.id} with SIGKILL; it held ${heldAtCrash} lead(s)`)
      yield* startProcess(`${victim.id}-replacement`)
    })
    yield* Effect.all([killer, workload.run(options.clients, options.opsMs)], { concurrency: "unbounded" })
    say(`clients done: ${recorder.operations().length} operations`)

    // Let every campaign run to quiet: resume the paused ones, wait for calls and due leads to drain.
    const { resumeAll } = workload
    yield* resumeAll
    const deadline = Date.now() + (options.drainTimeoutMs ?? 90_000)
    while (!isQuiet(yield* snapshot)) {
      if (Date.now() > deadline) return yield* Effect.dieMessage(`the run did not quiet down (seed ${options.seed})`)
      yield* sleep(200)
      yield* resumeAll
    }
    yield* Fiber.interrupt(snapper)

    // Stop the workers (SIGTERM: they finish what they hold): from here nothing but a request
    // changes a row — retries falling due would otherwise move rows under the tenancy probes.
    for (const w of spawned) if (w.alive()) w.child.kill("SIGTERM")
    yield* Effect.promise(() => Promise.all(spawned.map((w) => w.exited)))
    yield* Scope.close(inProcess, Exit.void)
    // Tenants apart: another organization's key on this organization's ids, then the final picture.
    const other = yield* gw.newOrganization()
    const intruder = makeLeadqHttp(gw.baseUrl, other.apiKey)
    const before = yield* snapshot
    const rowsOf = (s: Snapshot) =>
      Object.fromEntries([...s.campaigns, ...s.leads, ...s.call_logs].map((r) => [r.id, JSON.stringify(r)] as const))
    const lead = leadIds[0]!
    const log = before.call_logs[0]
    const probes: Array<readonly [string, string, unknown?]> = [
      ["GET", `/v1/campaigns-leads/${lead}`],
      ["DELETE", `/v1/campaigns-leads/${lead}`],
      ["PATCH", `/v1/campaigns-leads/${lead}`, { name: "stolen" }],
      ["GET", `/v1/campaigns/${cancelTarget}`],
      ["PATCH", `/v1/campaigns/${campaignIds[1] ?? cancelTarget}`, { status: "paused" }],
      ["POST", `/v1/campaigns/${campaignIds[1] ?? cancelTarget}/cancel`],
      ["GET", `/v1/call-logs/campaign/${cancelTarget}`],
      ...(log === undefined ? [] : [["GET", `/v1/call-logs/${log.id}`] as const])
    ]
    const requests: Array<{ request: string; status: number }> = []
    for (const [method, p, body] of probes) {
      const answer = yield* intruder.request(method, p, body).pipe(Effect.orDie)
      requests.push({ request: `${method} ${p}`, status: answer.status })
    }
    const after = yield* snapshot
    const tenancy: TenancyProbes = { requests, before: rowsOf(before), after: rowsOf(after) }

    const final = yield* snap
    const ledger = readLedgerFile(ledgerPath)

    const apiCampaigns: Array<Record<string, unknown>> = []
    for (const c of campaignIds) {
      apiCampaigns.push((yield* http.request("GET", `/v1/campaigns/${c}`).pipe(Effect.orDie)).body as Record<string, unknown>)
    }
    const mismatches = counterMismatches(final, apiCampaigns)

    const history: History = {
      seed: options.seed,
      operations: recorder.operations(),
      ledger: ledger.lines,
      snapshots,
      crashes,
      tenancy,
      timing: { lease_ms: leaseMs, sweep_interval_ms: sweepMs, slack_ms: 3_000 }
    }
    const count = <A>(items: ReadonlyArray<A>, p: (a: A) => boolean) => items.filter(p).length
    const ops = history.operations
    const stats: Record<string, number> = {
      dials: count(ledger.lines, (l) => l.type === "dial"),
      malformed_ledger_lines: ledger.malformed,
      operations: ops.length,
      deletes_ok: count(ops, (o) => o.kind === "delete" && o.outcome === "ok"),
      deletes_404: count(ops, (o) => o.kind === "delete" && o.status === 404),
      deletes_409: count(ops, (o) => o.kind === "delete" && o.status === 409),
      pauses_ok: count(ops, (o) => o.kind === "pause" && o.outcome === "ok"),
      resumes_ok: count(ops, (o) => o.kind === "resume" && o.outcome === "ok"),
      cancels_ok: count(ops, (o) => o.kind === "cancel" && o.outcome === "ok"),
      suppressions_ok: count(ops, (o) => o.kind === "suppress" && o.outcome === "ok"),
      deletes_suppress_ok: count(ops, (o) => o.kind === "delete" && o.suppresses !== undefined && o.outcome === "ok"),
      bulk_suppress_ok: count(ops, (o) => o.kind === "bulk_remove" && o.outcome === "ok"),
      lifts_ok: count(ops, (o) => o.kind === "lift" && o.outcome === "ok"),
      adds_refused_409: count(ops, (o) => o.kind === "add" && o.status === 409),
      removed_suppressed_by_worker: count(final.removals, (r) => r.reason === "suppressed"),
      unknown_outcomes: count(ops, (o) => o.outcome === "unknown"),
      removed_pending: count(final.removals, (r) => r.removed_from === "pending"),
      removed_claimed: count(final.removals, (r) => r.removed_from === "claimed"),
      removed_in_call: count(final.removals, (r) => r.removed_from === "in_call"),
      removed_called: count(final.removals, (r) => r.removed_from === "called"),
      call_logs: final.call_logs.length,
      worker_lost: count(final.call_logs, (l) => l.end_reason === "worker_lost"),
      snapshots: snapshots.length,
      held_by_killed_worker: heldAtCrash
    }
    return {
      history,
      violations: checkHistory(history),
      counterMismatches: mismatches,
      stats,
      workerOutput: spawned.map((w) => `----- ${w.id}\n${w.output()}`).join("\n")
    } satisfies RaceResult
  })
