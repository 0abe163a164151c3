import { afterEach, describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * The README walkthrough, for real: `node apps/server/dist/main.js` (what `pnpm start` runs) on a
 * fresh SQLite file, driven only through the public API. A lead removed while pending is never
 * dialled; a lead removed during its call finishes the call, gets a complete log and no retry; the
 * campaign completes; SIGTERM exits cleanly. The simulated carrier's ledger is the witness.
 */
const main = fileURLToPath(new URL("../dist/main.js", import.meta.url))

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A JSON answer, read loosely: the assertions say what must be in it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>

/** What the last probe saw, for the failure message. */
let seen: unknown

const eventually = async <A>(what: string, f: () => Promise<A | undefined>, timeoutMs = 20_000): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const a = await f()
    if (a !== undefined) return a
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(seen)}`)
    await sleep(50)
  }
}

/** The process under test, killed after each test even when the test itself timed out. */
let running: ChildProcess | undefined
afterEach(() => {
  if (running !== undefined && running.exitCode === null) running.kill("SIGKILL")
  running = undefined
})

describe("pnpm start (gateway + worker in one process on SQLite)", () => {
  it("walkthrough: dial, remove one pending and two mid-call, read the call logs", { timeout: 90_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leadq-start-"))
    const port = await freePort()
    const ledger = path.join(dir, "ledger.jsonl")
    let output = ""
    const child: ChildProcess = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        DATABASE_URL: `sqlite:${path.join(dir, "leadq.db")}`,
        LEADQ_SIM_LEDGER: ledger,
        LEADQ_SIM_RING_MS: "100",
        LEADQ_POLL_INTERVAL_MS: "50"
      },
      stdio: ["ignore", "pipe", "pipe"]
    })
    running = child
    child.stdout!.on("data", (d) => (output += d))
    child.stderr!.on("data", (d) => (output += d))
    try {
      // First start: the demo organization's key is printed once.
      const apiKey = await eventually("the demo key", async () => /LEADQ_API_KEY=(lq_\S+)/.exec(output)?.[1])
      const base = `http://127.0.0.1:${port}`
      await eventually("the gateway", () => fetch(`${base}/healthz`).then((r) => (r.ok ? true : undefined), () => undefined))
      const api = async (method: string, p: string, body?: unknown) => {
        const res = await fetch(`${base}${p}`, {
          method,
          headers: { authorization: `Bearer ${apiKey}`, ...(body ? { "content-type": "application/json" } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {})
        })
        return { status: res.status, body: (await res.json()) as Json }
      }

      const campaign = await api("POST", "/v1/campaigns", {
        name: "Walkthrough",
        agent_id: "agent_demo",
        from_phone_number: "+14155550100",
        max_concurrent_calls: 2,
        retry_config: { max_retries: 1, retry_interval_minutes: 5 }
      })
      expect(campaign.status).toBe(201)
      const add = (phoneNumber: string, notes: Record<string, unknown>) =>
        api("POST", "/v1/campaigns-leads", { campaignId: campaign.body.id, phoneNumber, countryCode: "1", notes })
      // Two lines: a 3-second conversation and a call that rings 2 seconds unanswered take them;
      // two more leads wait for a line.
      const talking = await add("4155550101", { sim_duration_ms: 3000 })
      const ringing = await add("4155550102", { sim_outcome: "no_answer", sim_ring_ms: 2000 })
      const waiting = await add("4155550103", {})
      const last = await add("4155550104", { sim_duration_ms: 100 })
      expect([talking.status, ringing.status, waiting.status, last.status]).toEqual([201, 201, 201, 201])

      await eventually("the first call to connect and the second to ring", async () => {
        const r = await api("GET", `/v1/call-logs?campaign_id=${campaign.body.id}`)
        seen = r.body
        const status = (id: string) => r.body.data.find((l: Json) => l.lead_id === id)?.status
        return status(talking.body.id) === "in_progress" && status(ringing.body.id) === "initiated" ? true : undefined
      })
      expect((await api("GET", `/v1/campaigns-leads/${talking.body.id}`)).body.status).toBe("in_progress")

      // Removed while pending: it leaves the queue at once.
      const r1 = await api("DELETE", `/v1/campaigns-leads/${waiting.body.id}?reason=opt-out`)
      expect(r1).toEqual({ status: 200, body: expect.objectContaining({ message: "Lead removed from campaign.", removed_from: "pending" }) })
      // Removed mid-call (connected, and ringing): neither call is cut.
      for (const lead of [talking, ringing]) {
        const r = await api("DELETE", `/v1/campaigns-leads/${lead.body.id}`)
        expect(r.body).toMatchObject({ removed_from: "in_call", call_in_progress: true })
        expect((await api("GET", `/v1/campaigns-leads/${lead.body.id}`)).status).toBe(404)
      }

      // The campaign drains: both removed calls end on their own, the last lead is called.
      const done = await eventually("the campaign to complete", async () => {
        const c = await api("GET", `/v1/campaigns/${campaign.body.id}`)
        if (c.body.status !== "completed") seen = c.body
        return c.body.status === "completed" ? c.body : undefined
      })
      expect(done).toMatchObject({ total_leads: 4, removed_leads: 3, completed_leads: 1, pending_leads: 0, in_progress_leads: 0 })

      const logs = await api("GET", `/v1/call-logs/campaign/${campaign.body.id}?created_at=asc`)
      const byLead = (id: string) => logs.body.data.filter((l: Json) => l.lead_id === id)
      // The conversation ran its full three seconds: a removal never cuts a call.
      expect(byLead(talking.body.id)).toEqual([expect.objectContaining({ attempt: 1, status: "completed", end_reason: "user_disconnected" })])
      expect(byLead(talking.body.id)[0].duration_seconds).toBeGreaterThanOrEqual(3)
      // Unanswered, but removed during its call: no retry follows.
      expect(byLead(ringing.body.id)).toEqual([expect.objectContaining({ attempt: 1, status: "no_answer" })])
      expect(byLead(waiting.body.id)).toEqual([])
      expect(byLead(last.body.id)).toEqual([expect.objectContaining({ attempt: 1, status: "completed" })])

      // The carrier's own ledger agrees: the pending removal was never dialled; the others once.
      const lines = fs.readFileSync(ledger, "utf8").trim().split("\n").map((l) => JSON.parse(l))
      const dials = lines.filter((l) => l.type === "dial").map((d) => d.lead_id)
      expect(dials.sort()).toEqual([talking.body.id, ringing.body.id, last.body.id].sort())
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
      child.kill("SIGTERM")
      const code = await exited
      fs.rmSync(dir, { recursive: true, force: true })
      expect(code, output).toBe(0)
    }
  })
})
