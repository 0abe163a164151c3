import { afterAll, expect, layer } from "@effect/vitest"
import type { E164 } from "@leadq/domain"
import { CallOutcome, CampaignRepository, LeadQueue, LeadRepository } from "@leadq/domain"
// The gateway's own test harness: a real gateway listening on a free port over a fresh database.
// Tests may start the app they talk to; the module boundary is about runtime code.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { TestGateway, testGatewayLayer } from "@leadq/gateway/testing"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { campaignDraft } from "./CampaignDrafts.js"
import { jsonLines, removeTempDirs, runCli, startCli, tempDir, until } from "./RunCli.js"

afterAll(removeTempDirs)

const LEASE = 600_000

layer(testGatewayLayer("sqlite"), { excludeTestServices: true, timeout: 120_000 })("call logs and keys against a real gateway", (it) => {
  it.effect("call-logs follow prints each log as it appears and as its status changes; Ctrl-C ends it with 0", () =>
    Effect.gen(function*() {
      const gw = yield* TestGateway
      const org = gw.organizationId
      const campaigns = yield* CampaignRepository
      const leads = yield* LeadRepository
      const queue = yield* LeadQueue
      const campaign = yield* campaigns.create(org, campaignDraft("Follow"))
      const first = yield* leads.add(org, campaign.id, { name: "first", phone_number: "+14155550201" as E164, notes: {} })
      const second = yield* leads.add(org, campaign.id, { name: "second", phone_number: "+14155550202" as E164, notes: {} })

      // One call before following: shown by the tail.
      const [claim1] = yield* queue.claimDue({ worker_id: "w", limit: 1, lease_ms: LEASE })
      expect(claim1!.lead_id).toBe(first.id)
      const dial1 = yield* queue.startDial(claim1!, LEASE)

      const env = { LEADQ_URL: gw.baseUrl, LEADQ_API_KEY: gw.apiKey }
      const follow = yield* startCli(["call-logs", "follow", "--campaign", campaign.id, "--interval", "0.2", "--json"], { env })
      const logs = () => jsonLines(follow.state.stdout) as Array<{ id: string; lead_id: string; status: string }>
      yield* until(() => logs().length >= 1, "the tail")
      expect(logs()[0]).toMatchObject({ id: dial1.call_log_id, lead_id: first.id, status: "initiated" })

      const now = new Date()
      yield* queue.markConnected(dial1, now)
      yield* until(() => logs().some((l) => l.id === dial1.call_log_id && l.status === "in_progress"), "in_progress")
      const [claim2] = yield* queue.claimDue({ worker_id: "w", limit: 1, lease_ms: LEASE })
      const dial2 = yield* queue.startDial(claim2!, LEASE)
      yield* until(() => logs().some((l) => l.id === dial2.call_log_id && l.lead_id === second.id), "the second call")
      yield* queue.finishCall(dial1, new CallOutcome({ status: "completed", end_reason: "user_disconnected", connected_at: now, ended_at: new Date(), duration_seconds: 4 }))
      yield* until(() => logs().some((l) => l.id === dial1.call_log_id && l.status === "completed"), "completed")
      // Each (log, status) once: no repeats while nothing changes.
      const seen = logs().map((l) => `${l.id}:${l.status}`)
      expect(new Set(seen).size).toBe(seen.length)
      expect(seen).toEqual([
        `${dial1.call_log_id}:initiated`,
        `${dial1.call_log_id}:in_progress`,
        `${dial2.call_log_id}:initiated`,
        `${dial1.call_log_id}:completed`
      ])

      follow.child.kill("SIGINT")
      expect(yield* Effect.promise(() => follow.exited)).toBe(0)

      // list and get, for people and for scripts
      const table = yield* runCli(["call-logs", "list", "--campaign", campaign.id], { env })
      expect(table.code).toBe(0)
      expect(table.stdout).toMatch(/^ID\s+LEAD\s+PHONE\s+ATTEMPT\s+STATUS\s+END REASON\s+DURATION\s+CREATED/)
      expect(table.stdout).toMatch(new RegExp(`${dial1.call_log_id}\\s+${first.id}\\s+\\+14155550201\\s+1\\s+completed\\s+user_disconnected\\s+4s`))
      const json = jsonLines((yield* runCli(["call-logs", "list", "--campaign", campaign.id, "--status", "completed", "--json"], { env })).stdout)
      expect(json.map((l) => l["id"])).toEqual([dial1.call_log_id])
      const one = yield* runCli(["call-logs", "get", dial2.call_log_id], { env })
      expect(one.stdout).toMatch(/status\s+initiated/)
      const missing = yield* runCli(["call-logs", "get", "log_0000000000000000000000zz"], { env })
      expect(missing.code).toBe(1)
      expect(missing.stderr).toContain("Call log log_0000000000000000000000zz not found.")
    }).pipe(Effect.scoped))

  it.effect("keys create and revoke, on the gateway's own database: the key works, then is refused", () =>
    Effect.gen(function*() {
      const gw = yield* TestGateway
      const db = { DATABASE_URL: gw.databaseUrl }
      const created = yield* runCli(["keys", "create", "--org", "acme", "--json"], { env: db })
      expect(created.stderr).toBe("")
      expect(created.code).toBe(0)
      const lines = jsonLines(created.stdout)
      expect(lines).toHaveLength(1)
      const issued = lines[0] as { organization_id: string; api_key: string; api_key_id: string; organization_created: boolean }
      expect(issued.organization_id).toMatch(/^org_/)
      expect(issued.api_key).toMatch(/^lq_/)
      expect(issued.organization_created).toBe(true)

      const asAcme = { LEADQ_URL: gw.baseUrl, LEADQ_API_KEY: issued.api_key }
      const listed = yield* runCli(["campaigns", "list"], { env: asAcme })
      expect(listed.code).toBe(0)
      expect(listed.stdout).toBe("No campaigns.\n") // a new organization sees nothing of the others'

      const second = yield* runCli(["keys", "create", "--org", "acme"], { env: db })
      expect(second.code).toBe(0)
      expect(second.stdout).toContain(`for the organization "acme" (${issued.organization_id})`)
      expect(second.stdout).toMatch(/^ {2}LEADQ_API_KEY=lq_\S+$/m)

      const revoked = yield* runCli(["keys", "revoke", issued.api_key_id], { env: db })
      expect(revoked.code).toBe(0)
      expect(revoked.stdout).toContain(`Revoked API key ${issued.api_key_id}`)
      const refused = yield* runCli(["campaigns", "list"], { env: asAcme })
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain("LEADQ_API_KEY")

      const unknown = yield* runCli(["keys", "revoke", "key_0000000000000000000000zz"], { env: db })
      expect(unknown.code).toBe(1)
      expect(unknown.stderr).toContain("API key key_0000000000000000000000zz not found.")
      const garbage = yield* runCli(["keys", "revoke", "hello"], { env: db })
      expect(garbage.code).toBe(2)
      const badUrl = yield* runCli(["keys", "create", "--org", "x"], { env: { DATABASE_URL: "mysql://nope" } })
      expect(badUrl.code).toBe(2)
      expect(badUrl.stderr).toContain("DATABASE_URL")
    }))

  it.effect("keys create on a database file that does not exist yet creates and migrates it", () =>
    Effect.gen(function*() {
      const dir = tempDir("leadq-keys-")
      const file = path.join(dir, "fresh", "leadq.db")
      const r = yield* runCli(["keys", "create", "--org", "first", "--database-url", `sqlite:${file}`])
      expect(r.code).toBe(0)
      expect(r.stdout).toContain(`for the new organization "first"`)
      expect(fs.existsSync(file)).toBe(true)
    }))
})
