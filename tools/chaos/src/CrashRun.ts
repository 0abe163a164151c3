import { ApiKeyRepository } from "@leadq/domain"
import type { Crash, History, Snapshot, Violation } from "@leadq/history"
import { checkHistory, isQuiet, makeLeadqHttp, makePrng, makeWorkload, scopedLedgerFile, simulatedWorkerEnv, takeSnapshot } from "@leadq/history"
import { layerFromUrl, parseDatabaseUrl, StoreLive } from "@leadq/store"
import type { Engine } from "@leadq/store/testing"
import { freshDatabaseUrl } from "@leadq/store/testing"
import { readLedgerFile } from "@leadq/telephony"
import { Effect, Either, Fiber, Layer, Logger, LogLevel, Schedule } from "effect"
import type { LeadqProcess } from "./LeadqProcess.js"
import { freePort, startLeadqProcess } from "./LeadqProcess.js"
import { nothingLost } from "./NothingLost.js"

/**
 * The crash matrix of issue 6: clients act on the public API while workers dial, and at random
 * moments (from the seed) a process is killed with SIGKILL — a worker, the gateway (on SQLite the
 * one `pnpm start` process, gateway and worker together) — or PostgreSQL itself is restarted.
 * Killed processes are started again from their `dist/` entry points. Then the run drains, and
 * the whole history goes through the checker of `tools/history`, plus the checks that nothing
 * acknowledged was lost.
 */
export type Fault = "kill-worker" | "kill-gateway" | "restart-pg"

export interface CrashOptions {
  readonly engine: Engine
  readonly seed: number
  readonly campaigns: number
  readonly leadsPerCampaign: number
  /** How long the clients keep acting; the faults fall in its middle 70 %. */
  readonly opsMs: number
  readonly clients: number
  /** PostgreSQL: worker processes beside the gateway. SQLite: one server process runs both. */
  readonly workers: number
  readonly faults: ReadonlyArray<{ readonly kind: Fault; readonly times: number }>
  /** How PostgreSQL is restarted (the `restart-pg` fault); the caller makes sure it comes back. */
  readonly restartPg?: (() => Promise<void>) | undefined
  readonly leaseMs?: number | undefined
  readonly progress?: ((line: string) => void) | undefined
}

export interface CrashResult {
  readonly history: History
  readonly violations: ReadonlyArray<Violation>
  /** Processes that died without being killed, acknowledged work that did not survive (see `NothingLost.ts`), counter mismatches. */
  readonly lost: ReadonlyArray<string>
  readonly stats: Readonly<Record<string, number>>
  /** Which fault happened when, for the report. */
  readonly timeline: ReadonlyArray<string>
  /** What every process incarnation printed (for a failure report). */
  readonly output: () => string
}

const sleep = (ms: number) => Effect.promise(() => new Promise((r) => setTimeout(r, ms)))

export const runCrash = (options: CrashOptions) =>
  Effect.gen(function*() {
    const say = options.progress ?? (() => undefined)
    const rng = makePrng(options.seed)
    const leaseMs = options.leaseMs ?? 1_500
    const sweepMs = 200
    const ledgerPath = yield* scopedLedgerFile("leadq-chaos-")

    // The database, and the store in this process: to issue the key and to take snapshots.
    const databaseUrl = yield* freshDatabaseUrl(options.engine)
    const parsed = parseDatabaseUrl(databaseUrl)
    if (Either.isLeft(parsed)) return yield* Effect.dieMessage(parsed.left)
    const store = yield* Layer.build(
      StoreLive.pipe(Layer.provideMerge(layerFromUrl(parsed.right, { maxConnections: 3 })), Layer.provide(Logger.minimumLogLevel(LogLevel.Warning)))
    )
    const issued = yield* Effect.provide(Effect.flatMap(ApiKeyRepository, (k) => k.createKey("chaos")), store)
    const snapshot = takeSnapshot().pipe(Effect.provide(store), Effect.orDie)
    const snapshots: Array<Snapshot> = []
    // A snapshot may fail while PostgreSQL restarts: then there is simply none at that moment.
    const snap = Effect.tap(snapshot, (s) => Effect.sync(() => snapshots.push(s)))
    const trySnap = Effect.ignore(Effect.catchAllDefect(snap, () => Effect.void))

    // The processes, started from dist/ as an operator starts them.
    const port = yield* Effect.promise(freePort)
    const baseUrl = `http://127.0.0.1:${port}`
    const incarnations: Array<LeadqProcess> = []
    const timeline: Array<string> = []
    const t0 = Date.now()
    const mark = (line: string) => {
      timeline.push(`+${((Date.now() - t0) / 1000).toFixed(1)} s ${line}`)
      say(line)
    }
    const workerEnv = simulatedWorkerEnv({ databaseUrl, ledgerPath, leaseMs, sweepMs })
    const gatewayEnv = { DATABASE_URL: databaseUrl, PORT: String(port), HOST: "127.0.0.1", LEADQ_SHUTDOWN_GRACE_MS: "5000" }
    const start = (name: string, entry: "gateway" | "worker" | "server", env: Record<string, string>) =>
      Effect.promise(async () => {
        const p = startLeadqProcess(name, entry, env)
        incarnations.push(p)
        if (entry === "worker") await p.waitOutput(/worker starting/)
        else await p.waitHealthy(`${baseUrl}/healthz`)
        return p
      })
    yield* Effect.addFinalizer(() => Effect.promise(() => Promise.all(incarnations.map((p) => p.kill9()))))

    const sqlite = options.engine === "sqlite"
    let generation = 1
    // SQLite: gateway and worker in one process (`pnpm start`), its worker named after the incarnation.
    const startFront = () =>
      sqlite
        ? start(`server-${generation}`, "server", { ...gatewayEnv, ...workerEnv, LEADQ_WORKER_ID: `server-${generation}` })
        : start(`gateway-${generation}`, "gateway", gatewayEnv)
    let front = yield* startFront()
    const workers: Array<LeadqProcess> = []
    let workerSeq = 0
    const startWorker = () =>
      Effect.map(start(`w${++workerSeq}`, "worker", { ...workerEnv, LEADQ_WORKER_ID: `w${workerSeq}` }), (w) => {
        workers.push(w)
        return w
      })
    if (!sqlite) for (let i = 0; i < options.workers; i++) yield* startWorker()

    // Campaigns and leads through the API.
    const http = makeLeadqHttp(baseUrl, issued.api_key, 5_000)
    const workload = makeWorkload(http, rng, String(options.seed))
    yield* workload.seed(options.campaigns, options.leadsPerCampaign, "chaos")
    yield* snap
    mark(`seeded ${workload.campaignIds.length} campaigns, ${workload.leadIds.length} leads; ${sqlite ? "1 server process" : `1 gateway, ${workers.length} workers`}`)

    // The faults, at moments drawn from the seed.
    const plan = options.faults
      .flatMap((f) => Array.from({ length: f.times }, () => ({ kind: f.kind, at: Math.floor(options.opsMs * (0.15 + 0.7 * rng.next())) })))
      .sort((a, b) => a.at - b.at)
    const crashes: Array<Crash> = []
    const killed = new Set<LeadqProcess>()
    const counts = { worker_kills: 0, gateway_kills: 0, pg_restarts: 0 }
    const held = (workerId: string) =>
      Effect.map(Effect.orElseSucceed(Effect.catchAllDefect(snapshot, () => Effect.fail(undefined)), () => undefined), (s) =>
        s === undefined ? 0 : s.leads.filter((l) => l.claim_id !== null && l.worker_id === workerId).length)
    const faults = Effect.gen(function*() {
      const began = Date.now()
      for (const fault of plan) {
        const wait = began + fault.at - Date.now()
        if (wait > 0) yield* sleep(wait)
        switch (fault.kind) {
          case "kill-worker": {
            if (sqlite) break
            // The worker holding the most leads right now (mid-call, ideally); ties by the seed.
            const alive = workers.filter((w) => w.alive())
            const holdings = yield* Effect.forEach(alive, (w) => Effect.map(held(w.name), (n) => [w, n + rng.next() / 2] as const))
            const [victim, weight] = holdings.reduce((a, b) => (b[1] > a[1] ? b : a))
            const holding = Math.floor(weight)
            killed.add(victim)
            yield* Effect.promise(() => victim.kill9())
            crashes.push({ worker_id: victim.name, killed_at: Date.now() })
            counts.worker_kills++
            mark(`kill -9 worker ${victim.name} (holding ${holding} lead(s))`)
            yield* trySnap
            yield* startWorker()
            break
          }
          case "kill-gateway": {
            const holding = sqlite ? yield* held(front.name) : 0
            killed.add(front)
            yield* Effect.promise(() => front.kill9())
            if (sqlite) crashes.push({ worker_id: front.name, killed_at: Date.now() })
            counts.gateway_kills++
            mark(`kill -9 ${front.name}${sqlite ? ` (gateway and worker; holding ${holding} lead(s))` : ""}`)
            yield* trySnap
            yield* sleep(rng.int(0, 1_000))
            generation++
            front = yield* startFront()
            mark(`${front.name} up`)
            break
          }
          case "restart-pg": {
            if (options.restartPg === undefined) return yield* Effect.dieMessage("restart-pg needs options.restartPg")
            mark("PostgreSQL restarting")
            yield* Effect.promise(options.restartPg)
            counts.pg_restarts++
            mark("PostgreSQL restarted")
            break
          }
        }
      }
    })
    const snapper = yield* Effect.fork(Effect.forever(Effect.zipRight(sleep(700), trySnap)))
    const faultFiber = yield* Effect.fork(faults)
    yield* workload.run(options.clients, options.opsMs)
    yield* Fiber.join(faultFiber)
    mark(`clients done: ${workload.recorder.operations().length} operations`)
    // A process that died without being killed is a finding of its own; it is started again so
    // that the run can still drain and be checked.
    const unexpectedExits: Array<string> = []
    for (const p of incarnations) {
      if (p.alive() || killed.has(p)) continue
      unexpectedExits.push(`${p.name} exited on its own (${p.child.exitCode ?? p.child.signalCode}): ${p.output().split("\n").filter((l) => l.trim() !== "").slice(-3).join(" | ")}`)
      killed.add(p)
      mark(`${p.name} had exited on its own; starting it again`)
      if (p === front) {
        generation++
        front = yield* startFront()
      } else if (workers.includes(p)) yield* startWorker()
    }

    // Drain: every paused campaign resumed, until no call is going on and nothing due is waiting.
    const deadline = Date.now() + 120_000
    yield* workload.resumeAll
    // Reads may fail for a while after a database restart: retry them, spaced.
    const settledSnapshot = Effect.retry(snapshot.pipe(Effect.catchAllDefect(Effect.fail)), { times: 60, schedule: Schedule.spaced("500 millis") }).pipe(Effect.orDie)
    while (!isQuiet(yield* settledSnapshot)) {
      if (Date.now() > deadline) return yield* Effect.dieMessage(`the run did not quiet down (seed ${options.seed})`)
      yield* sleep(200)
      yield* workload.resumeAll
    }
    yield* Fiber.interrupt(snapper)
    mark("quiet")

    // What the API says of each campaign, then the processes stop (SIGTERM) and the last picture.
    const apiCampaigns: Array<Record<string, unknown>> = []
    for (const c of workload.campaignIds) {
      const got = yield* http.request("GET", `/v1/campaigns/${c}`).pipe(Effect.retry({ times: 20, schedule: Schedule.spaced("500 millis") }), Effect.orDie)
      apiCampaigns.push(got.body as Record<string, unknown>)
    }
    yield* Effect.promise(() => Promise.all([...workers, front].map((p) => p.stop())))
    const final = yield* Effect.tap(settledSnapshot, (s) => Effect.sync(() => snapshots.push(s)))
    const ledger = readLedgerFile(ledgerPath)
    const history: History = {
      seed: options.seed,
      operations: workload.recorder.operations(),
      ledger: ledger.lines,
      snapshots,
      crashes,
      timing: { lease_ms: leaseMs, sweep_interval_ms: sweepMs, slack_ms: 10_000 }
    }
    const ops = history.operations
    const count = <A>(items: ReadonlyArray<A>, p: (a: A) => boolean) => items.filter(p).length
    const stats: Record<string, number> = {
      operations: ops.length,
      dials: count(ledger.lines, (l) => l.type === "dial"),
      hang_ups: count(ledger.lines, (l) => l.type === "hangup"),
      malformed_ledger_lines: ledger.malformed,
      snapshots: snapshots.length,
      leads: final.leads.length,
      call_logs: final.call_logs.length,
      removals: final.removals.length,
      deletes_ok: count(ops, (o) => o.kind === "delete" && o.outcome === "ok"),
      adds_ok: count(ops, (o) => o.kind === "add" && o.outcome === "ok"),
      unknown_outcomes: count(ops, (o) => o.outcome === "unknown"),
      answers_5xx: count(ops, (o) => (o.status ?? 0) >= 500),
      worker_lost: count(final.call_logs, (l) => l.end_reason === "worker_lost"),
      unexpected_exits: unexpectedExits.length,
      ...counts
    }
    return {
      history,
      violations: checkHistory(history),
      lost: [...unexpectedExits, ...nothingLost(history, apiCampaigns)],
      stats,
      timeline,
      output: () => incarnations.map((p) => `----- ${p.name}\n${p.output()}`).join("\n")
    } satisfies CrashResult
  })
