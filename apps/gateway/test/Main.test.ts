import { describe, expect, it } from "@effect/vitest"
import { freshDatabaseUrl, testEngines } from "@leadq/store/testing"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as http from "node:http"
import * as net from "node:net"
import { buildGateway, demoKeyOf, GATEWAY_MAIN, startGateway, stopGateway } from "./GatewayProcess.js"

const engines = await testEngines()

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

const get = (url: string, key: string) =>
  Effect.promise(async () => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } })
    return { status: res.status, json: await res.json() }
  })

describe("the built gateway process (dist/main.js)", () => {
  buildGateway()

  for (const engine of engines) {
    it.live(`${engine}: prints the demo key once, serves it, finishes a request in flight on SIGTERM and exits 0`, () =>
      Effect.gen(function*() {
        const databaseUrl = yield* freshDatabaseUrl(engine)
        const first = yield* startGateway({ DATABASE_URL: databaseUrl })
        const key = demoKeyOf(first)
        expect(key).toBeDefined()
        // Logs are JSON lines when stdout is not a terminal; the key itself is not in any log line.
        const logLines = first.stdout().split("\n").filter((l) => l.startsWith("{"))
        expect(logLines.length).toBeGreaterThan(0)
        for (const line of logLines) {
          expect(() => JSON.parse(line)).not.toThrow()
          expect(line).not.toContain(key!)
        }
        expect((yield* get(`${first.baseUrl}/v1/campaigns`, key!)).status).toBe(200)
        const campaign = yield* Effect.promise(() =>
          fetch(`${first.baseUrl}/v1/campaigns`, {
            method: "POST",
            headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
            body: JSON.stringify({ name: "Demo", agent_id: "a", from_phone_number: "+14155550100", scheduled_at: "2099-01-01T00:00:00Z" })
          }).then((r) => r.json())
        )

        // A request in flight when SIGTERM arrives: half its body is sent, then the signal, then the rest.
        const boundary = "leadqboundary"
        const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\nphone_number,name\r\n+14155550100,A\r\n`
        const tail = `+14155550101,B\r\n\r\n--${boundary}--\r\n`
        const inFlight = new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
          const req = http.request(`${first.baseUrl}/v1/campaigns-leads/upload-file/${campaign.id}`, {
            method: "POST",
            headers: {
              authorization: `Bearer ${key}`,
              "content-type": `multipart/form-data; boundary=${boundary}`,
              "content-length": String(Buffer.byteLength(head) + Buffer.byteLength(tail))
            }
          }, (res) => {
            let body = ""
            res.on("data", (d) => (body += d))
            res.on("end", () => resolve({ status: res.statusCode!, connection: res.headers.connection, body }))
          })
          req.on("error", reject)
          req.write(head)
          setTimeout(() => {
            first.child.kill("SIGTERM")
            setTimeout(() => req.end(tail), 500)
          }, 300)
        })
        const answer = yield* Effect.promise(() => inFlight)
        expect(answer.status).toBe(201)
        expect(JSON.parse(answer.body)).toMatchObject({ leads_created: 2, leads_skipped: 0 })
        expect(answer.connection).toBe("close")
        expect(yield* Effect.promise(() => first.exited)).toBe(0)
        expect(first.stdout()).toContain("Shutting down")

        // Second start on the same database: no new organization, no key printed; the key still works.
        const second = yield* startGateway({ DATABASE_URL: databaseUrl })
        expect(second.stdout()).not.toContain("LEADQ_API_KEY")
        const leads = yield* get(`${second.baseUrl}/v1/campaigns-leads?campaign_id=${campaign.id}`, key!)
        expect(leads.json.meta.total).toBe(2)
        expect(yield* stopGateway(second)).toBe(0)
      }).pipe(Effect.scoped), 120_000)
  }

  for (const [setting, env] of [
    ["PORT", { PORT: "eighty" }],
    ["LOG_LEVEL", { PORT: "0", LOG_LEVEL: "loud" }],
    // LOG_LEVEL=None silences the logs, not the reason the process did not start.
    ["PORT", { PORT: "eighty", LOG_LEVEL: "None" }]
  ] as const) {
    it.live(`refuses to start on an invalid ${setting}, naming it (LOG_LEVEL ${env.LOG_LEVEL ?? "unset"})`, () =>
      Effect.gen(function*() {
        const child = spawn(process.execPath, [GATEWAY_MAIN], {
          env: { ...process.env, ...env, DATABASE_URL: "sqlite::memory:" },
          stdio: ["ignore", "pipe", "pipe"]
        })
        let out = ""
        child.stdout.on("data", (d) => (out += d))
        child.stderr.on("data", (d) => (out += d))
        const code = yield* Effect.promise(() => new Promise<number | null>((done) => child.once("exit", done)))
        expect(code).not.toBe(0)
        expect(out).toContain(setting)
        expect(out).toContain("Invalid configuration")
        expect(out).not.toContain("Listening")
        if (setting === "LOG_LEVEL") expect(out).toMatch(/LOG_LEVEL must be one of All, Trace, Debug, Info, Warning, Error, Fatal, None.*got \\?"loud/)
      }), 60_000)
  }

  // Issue 14: the README's names (`Warning` and `None` stopped the start), in any case, and
  // Effect's own labels. Each start is a real process; the level is seen in what it logs.
  for (const { level, listening, anyLog } of [
    { level: "All", listening: true, anyLog: true },
    { level: "Trace", listening: true, anyLog: true },
    { level: "Debug", listening: true, anyLog: true },
    { level: "Info", listening: true, anyLog: true },
    { level: "Warning", listening: false, anyLog: false },
    { level: "Error", listening: false, anyLog: false },
    { level: "Fatal", listening: false, anyLog: false },
    { level: "None", listening: false, anyLog: false },
    { level: "warning", listening: false, anyLog: false },
    { level: "WARN", listening: false, anyLog: false },
    { level: "off", listening: false, anyLog: false }
  ] as const) {
    it.live(`starts with LOG_LEVEL=${level}, serves, logs at that level and stops cleanly`, () =>
      Effect.gen(function*() {
        const databaseUrl = yield* freshDatabaseUrl("sqlite")
        const port = yield* Effect.promise(freePort)
        const child = spawn(process.execPath, [GATEWAY_MAIN], {
          env: { ...process.env, HOST: "127.0.0.1", PORT: String(port), DATABASE_URL: databaseUrl, LOG_LEVEL: level },
          stdio: ["ignore", "pipe", "pipe"]
        })
        let out = ""
        child.stdout.on("data", (d) => (out += d))
        child.stderr.on("data", (d) => (out += d))
        const exited = new Promise<number | null>((done) => child.once("exit", done))
        const healthy = yield* Effect.promise(async () => {
          for (let i = 0; i < 300 && child.exitCode === null; i++) {
            if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) return true
            await new Promise((r) => setTimeout(r, 100))
          }
          return false
        })
        child.kill("SIGTERM")
        const code = yield* Effect.promise(() => exited)
        expect(healthy, out).toBe(true)
        expect(code).toBe(0)
        expect(out).not.toContain("Invalid configuration")
        expect(out.includes("Listening on")).toBe(listening)
        expect(out.split("\n").some((l) => l.startsWith("{"))).toBe(anyLog)
      }).pipe(Effect.scoped), 60_000)
  }
})
