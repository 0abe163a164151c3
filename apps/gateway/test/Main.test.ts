import { describe, expect, it } from "@effect/vitest"
import { freshDatabaseUrl, testEngines } from "@leadq/store/testing"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as http from "node:http"
import { buildGateway, demoKeyOf, GATEWAY_MAIN, startGateway, stopGateway } from "./GatewayProcess.js"

const engines = await testEngines()

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
    ["LOG_LEVEL", { PORT: "0", LOG_LEVEL: "loud" }]
  ] as const) {
    it.live(`refuses to start on an invalid ${setting}, naming it`, () =>
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
      }), 60_000)
  }
})
