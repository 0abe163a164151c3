import { describe, expect, it } from "@effect/vitest"
import { LEADQ_SIGNATURE_HEADER, verifyLeadq, WEBHOOK_EVENT_TYPES, WebhookEvent } from "@leadq/domain"
import type { Engine } from "@leadq/store/testing"
import { freshDatabaseUrl, testEngines } from "@leadq/store/testing"
import { Effect, Either, Schema } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * Outgoing webhooks end to end (docs/webhooks.md), on real processes and a real receiver: SQLite
 * runs `pnpm start` (`apps/server/dist/main.js`, gateway + worker + dispatcher in one process);
 * PostgreSQL runs the gateway and a worker as two processes on a fresh database. Everything is
 * done through the public API; the receiver (node:http, here) records every request it gets, with
 * its headers and raw body, and what it answered. The API's own state — removals, call logs,
 * suppressions, the campaign, the deliveries — is the witness of what must have been sent.
 */
const engines = await testEngines()

const appsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")
const SERVER_MAIN = path.join(appsDir, "server", "dist", "main.js")
const GATEWAY_MAIN = path.join(appsDir, "gateway", "dist", "main.js")
const WORKER_MAIN = path.join(appsDir, "worker", "dist", "main.js")

/** A JSON answer, read loosely: the assertions say what must be in it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>

/** The flaky endpoint answers 503 to this many requests before its first 200. */
const REFUSED_ATTEMPTS = 4

/** Fast polls and retries (docs/webhooks.md "Settings") and short simulated calls. */
const fastEnv = {
  LOG_LEVEL: "Info",
  LEADQ_POLL_INTERVAL_MS: "50",
  LEADQ_SIM_RING_MS: "100",
  LEADQ_SIM_DURATION_MS: "300",
  LEADQ_WEBHOOK_POLL_INTERVAL_MS: "50",
  LEADQ_WEBHOOK_RETRY_BASE_MS: "50",
  LEADQ_WEBHOOK_RETRY_MAX_MS: "200",
  LEADQ_WEBHOOK_TIMEOUT_MS: "2000",
  LEADQ_WEBHOOK_LEASE_MS: "5000"
}

/** One request the receiver got, exactly as sent, and the status it answered. */
interface Request {
  readonly path: string
  readonly headers: http.IncomingHttpHeaders
  readonly raw: string
  readonly answered: number
}

/**
 * A real local receiver: `/ok` always answers 200; `/flaky` answers 503 to its first
 * `REFUSED_ATTEMPTS` requests, then 200. Every request is recorded, whatever the answer.
 */
const startReceiver = Effect.acquireRelease(
  Effect.async<{ server: http.Server; requests: Array<Request> }>((resume) => {
    const requests: Array<Request> = []
    let flaky = 0
    const server = http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        const p = req.url ?? "/"
        const answered = p === "/flaky" && flaky++ < REFUSED_ATTEMPTS ? 503 : 200
        requests.push({ path: p, headers: req.headers, raw: Buffer.concat(chunks).toString("utf8"), answered })
        res.writeHead(answered, { "content-type": "text/plain" }).end(answered === 200 ? "ok" : "not now")
      })
    })
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, requests })))
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
).pipe(Effect.map(({ requests, server }) => ({
  requests,
  url: (p: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${p}`
})))

/** A built app as a process; SIGTERM (then SIGKILL if it lingers) at the end of the scope. */
const spawnApp = (main: string, env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child = spawn(process.execPath, [main], {
        env: { ...process.env, NODE_OPTIONS: "", ...env },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let out = ""
      child.stdout!.on("data", (d) => (out += d))
      child.stderr!.on("data", (d) => (out += d))
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
      return { child, output: () => out, exited }
    }),
    ({ child, exited }) =>
      Effect.promise(async () => {
        if (child.exitCode !== null || child.signalCode !== null) return
        child.kill("SIGTERM")
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000)
        await exited
        clearTimeout(timer)
      })
  )

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** `f`'s answer once it is not `undefined`, polled; fails after `timeoutMs` saying what it waited for. */
const until = <A>(what: string, f: () => Promise<A | undefined> | A | undefined, timeoutMs = 30_000) =>
  Effect.promise(async () => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const a = await f()
      if (a !== undefined) return a
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await sleep(50)
    }
  })

/** The gateway's address (it logs the port it listens on) and the demo key (printed on first start). */
const listening = (what: string, output: () => string) =>
  until(`${what} to listen`, () => {
    const port = /Listening on http:\/\/[^:]+:(\d+)/.exec(output())?.[1]
    const key = /LEADQ_API_KEY=(lq_\S+)/.exec(output())?.[1]
    return port !== undefined && key !== undefined ? { base: `http://127.0.0.1:${port}`, key } : undefined
  })

/**
 * The system under test on `engine`, on a fresh database: SQLite is `pnpm start`'s one process;
 * PostgreSQL a gateway, then (once the gateway has migrated the database) a worker.
 */
const startSystem = (engine: Engine) =>
  Effect.gen(function*() {
    const databaseUrl = yield* freshDatabaseUrl(engine)
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "leadq-webhooks-"))),
      (d) => Effect.sync(() => fs.rmSync(d, { recursive: true, force: true }))
    )
    const env = { ...fastEnv, DATABASE_URL: databaseUrl, LEADQ_SIM_LEDGER: path.join(dir, "ledger.jsonl"), HOST: "127.0.0.1", PORT: "0" }
    if (engine === "sqlite") {
      const server = yield* spawnApp(SERVER_MAIN, env)
      return { ...(yield* listening("pnpm start", server.output)), output: server.output }
    }
    const gateway = yield* spawnApp(GATEWAY_MAIN, env)
    const at = yield* listening("the gateway", gateway.output)
    const worker = yield* spawnApp(WORKER_MAIN, { ...env, LEADQ_WORKER_ID: "w-webhooks" })
    yield* until("the worker's dispatcher", () => (worker.output().includes("webhook dispatcher starting") ? true : undefined))
    return { ...at, output: () => gateway.output() + worker.output() }
  })

const typesOf = (events: ReadonlyArray<Json>) => events.map((e) => e.type as string)

for (const engine of engines) {
  describe(`webhooks end to end on ${engine} (${engine === "sqlite" ? "pnpm start" : "gateway + worker processes"})`, () => {
    it.live("every committed change is delivered once, signed, in order, through refusals and a flaky receiver; refused changes send nothing", () =>
      Effect.scoped(Effect.gen(function*() {
        const receiver = yield* startReceiver
        const { base, key } = yield* startSystem(engine)
        const api = (method: string, p: string, body?: unknown) =>
          Effect.promise(async () => {
            const res = await fetch(`${base}${p}`, {
              method,
              headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
              ...(body === undefined ? {} : { body: JSON.stringify(body) })
            })
            return { status: res.status, body: (await res.json()) as Json }
          })

        // 1. Two endpoints for every event type, through the API; the secret is in this answer only.
        const register = (p: string) => api("POST", "/v1/webhooks", { url: receiver.url(p), events: WEBHOOK_EVENT_TYPES, description: `e2e ${p}` })
        const ok = yield* register("/ok")
        const flaky = yield* register("/flaky")
        for (const created of [ok, flaky]) {
          expect(created.status).toBe(201)
          expect(created.body).toMatchObject({ enabled: true, events: WEBHOOK_EVENT_TYPES, secret: expect.stringMatching(/^whsec_/) })
          expect(Object.keys((yield* api("GET", `/v1/webhooks/${created.body.id}`)).body)).not.toContain("secret")
        }
        const secretOf: Record<string, string> = { "/ok": ok.body.secret, "/flaky": flaky.body.secret }

        // 2. A campaign, paused before any lead is added so two can be removed while surely pending.
        const campaign = yield* api("POST", "/v1/campaigns", {
          name: "Webhooks",
          agent_id: "agent_demo",
          from_phone_number: "+14155550100",
          max_concurrent_calls: 2
        })
        expect(campaign.status).toBe(201)
        const cmp = campaign.body.id as string
        expect((yield* api("PATCH", `/v1/campaigns/${cmp}`, { status: "paused" })).body.status).toBe("paused")
        const add = (phoneNumber: string, notes: Record<string, unknown>) =>
          api("POST", "/v1/campaigns-leads", { campaignId: cmp, phoneNumber, countryCode: "1", notes }).pipe(
            Effect.tap((r) => expect(r.status).toBe(201)),
            Effect.map((r) => r.body.id as string)
          )
        const removed = yield* add("4155550101", {})
        const suppressed = yield* add("4155550102", {})
        const called = [
          yield* add("4155550103", { sim_duration_ms: 300 }),
          yield* add("4155550104", { sim_outcome: "no_answer", sim_ring_ms: 200 }),
          yield* add("4155550105", { sim_duration_ms: 100 })
        ]
        expect((yield* api("DELETE", `/v1/campaigns-leads/${removed}?reason=opt-out`)).body).toMatchObject({ removed_from: "pending" })
        expect((yield* api("DELETE", `/v1/campaigns-leads/${suppressed}?suppress=true&reason=do-not-call`)).body)
          .toMatchObject({ removed_from: "pending", suppressed: true })

        // 4. Refused changes, while paused: none of them may send anything.
        expect((yield* api("DELETE", `/v1/campaigns-leads/${removed}?reason=again`)).status).toBe(404)
        expect((yield* api("DELETE", `/v1/campaigns-leads/${called[0]}?reason=${"x".repeat(501)}`)).status).toBe(400)
        expect((yield* api("PATCH", `/v1/campaigns/${cmp}`, { status: "stopped" })).status).toBe(400)
        expect((yield* api("POST", "/v1/suppressions", { phone_number: "not a number" })).status).toBe(400)
        // Pausing a paused campaign changes nothing: no event either.
        expect((yield* api("PATCH", `/v1/campaigns/${cmp}`, { status: "paused" })).status).toBe(200)

        // Resumed: the three remaining leads are dialled by the simulated carrier to the end.
        expect((yield* api("PATCH", `/v1/campaigns/${cmp}`, { status: "running" })).body.status).toBe("running")
        const done = yield* until("the campaign to complete", async () => {
          const c = await Effect.runPromise(api("GET", `/v1/campaigns/${cmp}`))
          return c.body.status === "completed" ? c.body : undefined
        }, 45_000)
        expect(done).toMatchObject({ total_leads: 5, removed_leads: 2, pending_leads: 0, in_progress_leads: 0 })

        // Refused in a completed campaign.
        expect((yield* api("DELETE", `/v1/campaigns-leads/${called[0]}`)).status).toBe(409)
        expect((yield* api("PATCH", `/v1/campaigns/${cmp}`, { status: "running" })).status).toBe(409)
        expect((yield* api("POST", `/v1/campaigns/${cmp}/cancel`)).status).toBe(409)

        // A last change, committed after everything above: once it has arrived, so has all before it
        // (each endpoint's events arrive in commit order).
        const marker = yield* api("POST", "/v1/suppressions", { phone_number: "+14155550199", reason: "marker" })
        expect(marker.status).toBe(201)
        const delivered = (p: string) =>
          receiver.requests.filter((r) => r.path === p && r.answered === 200).map((r) => JSON.parse(r.raw) as Json)
        for (const p of ["/ok", "/flaky"]) {
          yield* until(`the marker at ${p}`, () =>
            delivered(p).some((e) => e.type === "lead.suppressed" && e.data.phone_number === "+14155550199") ? true : undefined)
        }

        // 3. What the API says happened, and the one event each of those changes must have sent.
        const removals = (yield* api("GET", `/v1/removals?campaign_id=${cmp}`)).body.data as Array<Json>
        expect(removals.map((r) => r.lead_id).sort()).toEqual([removed, suppressed].sort())
        const logs = (yield* api("GET", `/v1/call-logs?campaign_id=${cmp}&created_at=asc`)).body.data as Array<Json>
        expect(logs.map((l) => l.lead_id).sort()).toEqual([...called].sort())
        const suppression = (yield* api("GET", `/v1/suppressions/${encodeURIComponent("+14155550102")}`)).body

        const events = delivered("/ok")
        for (const e of events) Schema.decodeUnknownSync(WebhookEvent)(e)
        const ofType = (type: string) => events.filter((e) => e.type === type)
        expect(new Set(events.map((e) => e.id)).size).toBe(events.length) // none twice
        expect(events.length).toBe(removals.length + 2 + 2 * logs.length + 3)

        for (const r of removals) {
          expect(ofType("lead.removed").filter((e) => e.data.lead_id === r.lead_id).map((e) => e.data)).toEqual([{
            lead_id: r.lead_id,
            campaign_id: r.campaign_id,
            phone_number: r.phone_number,
            removed_from: r.removed_from,
            call_in_progress: r.call_in_progress,
            reason: r.reason,
            api_key_id: r.api_key_id,
            removed_at: r.removed_at
          }])
        }
        expect(ofType("lead.removed")).toHaveLength(removals.length)
        expect(removals.find((r) => r.lead_id === removed)).toMatchObject({ reason: "opt-out", removed_from: "pending" })
        expect(ofType("lead.suppressed").map((e) => e.data)).toEqual([
          {
            phone_number: "+14155550102",
            reason: "do-not-call",
            expires_at: null,
            api_key_id: suppression.api_key_id,
            lead_id: suppressed,
            campaign_id: cmp,
            suppressed_at: suppression.created_at
          },
          expect.objectContaining({ phone_number: "+14155550199", reason: "marker", lead_id: null, campaign_id: null })
        ])
        for (const log of logs) {
          const started = ofType("call.started").filter((e) => e.data.id === log.id)
          const ended = ofType("call.ended").filter((e) => e.data.id === log.id)
          expect(started).toHaveLength(1)
          expect(ended).toHaveLength(1)
          const final = (yield* api("GET", `/v1/call-logs/${log.id}`)).body
          expect(ended[0]!.data).toEqual(final)
          expect(started[0]!.data).toEqual({
            ...final,
            status: "initiated",
            end_reason: null,
            duration_seconds: null,
            started_at: null,
            ended_at: null
          })
          // Per lead, the call starts before it ends.
          expect(events.indexOf(started[0]!)).toBeLessThan(events.indexOf(ended[0]!))
        }
        expect(ofType("campaign.status_changed").map((e) => e.data)).toEqual([
          expect.objectContaining({ campaign_id: cmp, from: "running", to: "paused" }),
          expect.objectContaining({ campaign_id: cmp, from: "paused", to: "running" }),
          expect.objectContaining({ campaign_id: cmp, from: "running", to: "completed" })
        ])
        expect(typesOf(events).at(-1)).toBe("lead.suppressed")

        // Every request is signed with its endpoint's secret, and with no other; its headers name it.
        for (const r of receiver.requests) {
          const header = r.headers[LEADQ_SIGNATURE_HEADER] as string
          const body = JSON.parse(r.raw) as Json
          expect(r.headers["content-type"]).toBe("application/json")
          expect(r.headers["leadq-event-id"]).toBe(body.id)
          expect(r.headers["leadq-event-type"]).toBe(body.type)
          expect(Either.isRight(verifyLeadq(secretOf[r.path]!, r.raw, header, Date.now()))).toBe(true)
          const other = r.path === "/ok" ? secretOf["/flaky"]! : secretOf["/ok"]!
          expect(verifyLeadq(other, r.raw, header, Date.now())).toEqual(Either.left(expect.objectContaining({ reason: "bad_signature" })))
          expect(Either.isLeft(verifyLeadq("whsec_wrong", r.raw, header, Date.now()))).toBe(true)
        }

        // 5. The flaky endpoint refused its first attempts, then got everything, in the same order.
        const flakyRequests = receiver.requests.filter((r) => r.path === "/flaky")
        expect(flakyRequests.slice(0, REFUSED_ATTEMPTS).every((r) => r.answered === 503)).toBe(true)
        expect(delivered("/flaky").map((e) => e.id)).toEqual(events.map((e) => e.id))
        // The head of the line was retried until delivered: nothing behind it went first.
        expect(flakyRequests.slice(0, REFUSED_ATTEMPTS + 1).every((r) => JSON.parse(r.raw).id === events[0]!.id)).toBe(true)
        // The deliveries API agrees: newest event first, all delivered, the attempts as received.
        for (const [p, endpoint] of [["/ok", ok], ["/flaky", flaky]] as const) {
          const page = (yield* api("GET", `/v1/webhooks/${endpoint.body.id}/deliveries?limit=100`)).body
          expect(page.data.map((d: Json) => d.event_id)).toEqual(events.map((e) => e.id).reverse())
          expect(page.data.every((d: Json) => d.status === "delivered" && d.response_status === 200)).toBe(true)
          const attempts = page.data.reduce((n: number, d: Json) => n + d.attempts, 0)
          expect(attempts).toBe(receiver.requests.filter((r) => r.path === p).length)
        }
      })), { timeout: 120_000 })
  })
}
