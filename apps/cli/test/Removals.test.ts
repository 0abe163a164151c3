import { afterAll, expect, layer } from "@effect/vitest"
import type { ApiKeyId, E164, LeadId } from "@leadq/domain"
import { CampaignRepository, LeadQueue, LeadRepository } from "@leadq/domain"
// The gateway's own test harness: a real gateway listening on a free port over a fresh database.
// Tests may start the app they talk to; the module boundary is about runtime code.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { TestGateway, testGatewayLayer } from "@leadq/gateway/testing"
import { Effect } from "effect"
import { campaignDraft } from "./CampaignDrafts.js"
import { jsonLines, removeTempDirs, runCli } from "./RunCli.js"

afterAll(removeTempDirs)

const COLUMNS = ["id", "lead_id", "campaign_id", "phone_number", "removed_from", "attempt", "call_in_progress", "reason", "api_key_id", "removed_at"]

/** A reason every naive CSV writer gets wrong: a comma, quotes and a line break. */
const AWKWARD_REASON = "opted out, said \"never again\"\nby phone"

/** RFC 4180, read independently of the writer under test. */
const parseCsv = (text: string): Array<Array<string>> => {
  const rows: Array<Array<string>> = []
  let row: Array<string> = []
  let field = ""
  let quoted = false
  const endField = () => {
    row.push(field)
    field = ""
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === "\"" && text[i + 1] === "\"") {
        field += "\""
        i++
      } else if (c === "\"") quoted = false
      else field += c
    } else if (c === "\"") quoted = true
    else if (c === ",") endField()
    else if (c === "\n") {
      endField()
      rows.push(row)
      row = []
    } else if (c !== "\r") field += c
  }
  if (field !== "" || row.length > 0) {
    endField()
    rows.push(row)
  }
  return rows
}

/** The records as the API itself answers them (every page). */
const apiRecords = (baseUrl: string, apiKey: string, query = "") =>
  Effect.promise(async () => {
    const out: Array<Record<string, unknown>> = []
    for (let page = 1; ; page++) {
      const res = await fetch(`${baseUrl}/v1/removals?limit=100&page=${page}${query}`, { headers: { authorization: `Bearer ${apiKey}` } })
      const body = (await res.json()) as { data: Array<Record<string, unknown>>; meta: { totalPages: number } }
      out.push(...body.data)
      if (page >= body.meta.totalPages) return out
    }
  })

/** What a CSV field holds for a wire value. */
const csvText = (v: unknown) => (v === null ? "" : String(v))

layer(testGatewayLayer("sqlite"), { excludeTestServices: true, timeout: 120_000 })("leadq removals against a real gateway", (it) => {
  /** A fresh organization whose leads were removed pending (with an awkward reason), claimed and in a call. */
  const staged = Effect.gen(function*() {
    const gw = yield* TestGateway
    const org = yield* gw.newOrganization()
    const campaigns = yield* CampaignRepository
    const leads = yield* LeadRepository
    const queue = yield* LeadQueue
    const campaign = yield* campaigns.create(org.organizationId, campaignDraft("Audit"))
    const add = (phone: string) => leads.add(org.organizationId, campaign.id, { name: null, phone_number: phone as E164, notes: {} })
    const pending = yield* add("+14155550301")
    const inCall = yield* add("+14155550302")
    const kept = yield* add("+14155550303")
    const by = { api_key_id: org.apiKeyId as ApiKeyId }
    yield* leads.remove(org.organizationId, pending.id, { ...by, reason: AWKWARD_REASON })
    for (const claim of yield* queue.claimDue({ worker_id: "cli-test", limit: 100, lease_ms: 600_000 })) {
      if (claim.lead_id === inCall.id) yield* queue.startDial(claim, 600_000)
      else yield* queue.release(claim)
    }
    yield* leads.remove(org.organizationId, inCall.id, { ...by, reason: "in a call" })
    const env = { LEADQ_URL: gw.baseUrl, LEADQ_API_KEY: org.apiKey }
    return { gw, org, env, campaign, pending, inCall, kept }
  })

  it.effect("list: a table for people, JSON lines and CSV that say exactly what the API says", () =>
    Effect.gen(function*() {
      const { campaign, env, gw, inCall, org, pending } = yield* staged
      const api = yield* apiRecords(gw.baseUrl, org.apiKey)
      expect(api.map((r) => r["lead_id"]).sort()).toEqual([pending.id, inCall.id].sort())

      const table = yield* runCli(["removals", "list"], { env })
      expect(table.code).toBe(0)
      expect(table.stdout).toMatch(/^REMOVED\s+LEAD\s+PHONE\s+FROM\s+ATTEMPT\s+API KEY\s+REASON\s+CAMPAIGN\n/)
      expect(table.stdout).toMatch(new RegExp(`${pending.id}\\s+\\+14155550301\\s+pending\\s+0\\s+${org.apiKeyId}\\s+opted out, said "never again" by phone\\s+${campaign.id}`))
      expect(table.stdout).toMatch(new RegExp(`${inCall.id}\\s+\\+14155550302\\s+in_call\\s+1\\s+${org.apiKeyId}\\s+in a call`))
      expect(table.stdout.trim().split("\n")).toHaveLength(3)
      expect(table.stderr).toContain("Page 1 of 1, 2 removals in all.")

      const json = yield* runCli(["removals", "list", "--json"], { env })
      expect(json.code).toBe(0)
      expect(jsonLines(json.stdout)).toEqual(api)
      const asFormat = yield* runCli(["removals", "list", "--format", "json"], { env })
      expect(jsonLines(asFormat.stdout)).toEqual(api)

      const csv = yield* runCli(["removals", "list", "--format", "csv"], { env })
      expect(csv.code).toBe(0)
      const [header, ...rows] = parseCsv(csv.stdout)
      expect(header).toEqual(COLUMNS)
      expect(rows).toEqual(api.map((r) => COLUMNS.map((c) => csvText(r[c]))))
      const awkward = rows.find((r) => r[1] === pending.id)!
      expect(awkward[7]).toBe(AWKWARD_REASON)
      expect(rows.find((r) => r[1] === inCall.id)!.slice(4, 7)).toEqual(["in_call", "1", "true"])

      // Filters reach the API.
      const filtered = yield* runCli(["removals", "list", "--phone", "+14155550302", "--campaign", campaign.id, "--api-key-id", org.apiKeyId, "--json"], { env })
      expect(jsonLines(filtered.stdout).map((r) => r["lead_id"])).toEqual([inCall.id])
      const later = yield* runCli(["removals", "list", "--from", "2099-01-01", "--json"], { env })
      expect({ code: later.code, stdout: later.stdout }).toEqual({ code: 0, stdout: "" })
      const none = yield* runCli(["removals", "list", "--to", "2000-01-01T00:00:00Z"], { env })
      expect(none.stdout).toBe("No removals.\n")
    }))

  it.effect("--format csv: a reason a spreadsheet would run as a formula is written with a quote in front; numbers and JSON untouched", () =>
    Effect.gen(function*() {
      const gw = yield* TestGateway
      const org = yield* gw.newOrganization()
      const campaigns = yield* CampaignRepository
      const leads = yield* LeadRepository
      const campaign = yield* campaigns.create(org.organizationId, campaignDraft("Formulas"))
      const reasons = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]
      // All added first: removing a campaign's last lead completes it.
      const added = []
      for (const i of reasons.keys()) added.push(yield* leads.add(org.organizationId, campaign.id, { name: null, phone_number: `+1415555061${i}` as E164, notes: {} }))
      for (const [i, reason] of reasons.entries()) yield* leads.remove(org.organizationId, added[i]!.id, { api_key_id: org.apiKeyId as ApiKeyId, reason })
      const env = { LEADQ_URL: gw.baseUrl, LEADQ_API_KEY: org.apiKey }
      const csv = yield* runCli(["removals", "list", "--format", "csv"], { env })
      expect(csv.code).toBe(0)
      const [, ...rows] = parseCsv(csv.stdout)
      expect(rows.map((r) => r[7]).sort()).toEqual(reasons.map((r) => `'${r}`).sort())
      // The phone numbers start with + but are numbers: left as the API holds them.
      expect(rows.map((r) => r[3]).sort()).toEqual(reasons.map((_, i) => `+1415555061${i}`))
      // JSON carries the values exactly.
      const json = yield* runCli(["removals", "list", "--json"], { env })
      expect(jsonLines(json.stdout).map((r) => r["reason"]).sort()).toEqual([...reasons].sort())
      // A range that ends before it starts: the gateway's 400, exit 1.
      const backwards = yield* runCli(["removals", "list", "--from", "2026-06-02", "--to", "2026-06-01"], { env })
      expect(backwards.code).toBe(1)
      expect(backwards.stderr).toContain("from: must not be after to")
    }), 120_000)

  it.effect("list --all --format csv streams every page; --page/--limit one page", () =>
    Effect.gen(function*() {
      const gw = yield* TestGateway
      const org = yield* gw.newOrganization()
      const campaigns = yield* CampaignRepository
      const leads = yield* LeadRepository
      const campaign = yield* campaigns.create(org.organizationId, { ...campaignDraft("Many"), scheduled_at: new Date("2099-01-01T00:00:00Z") })
      const drafts = Array.from({ length: 130 }, (_, i) => ({ name: null, phone_number: `+1415551${String(i).padStart(4, "0")}` as E164, notes: {} }))
      yield* leads.addMany(org.organizationId, campaign.id, drafts)
      const added = yield* leads.list(org.organizationId, { page: 1, limit: 100, campaign_id: campaign.id })
      const rest = yield* leads.list(org.organizationId, { page: 2, limit: 100, campaign_id: campaign.id })
      const ids = [...added.data, ...rest.data].map((l) => l.id as LeadId)
      expect(ids).toHaveLength(130)
      yield* leads.removeMany(org.organizationId, { _tag: "LeadIds", lead_ids: ids }, { api_key_id: org.apiKeyId, reason: "bulk, \"list\" 7" })
      const env = { LEADQ_URL: gw.baseUrl, LEADQ_API_KEY: org.apiKey }
      const api = yield* apiRecords(gw.baseUrl, org.apiKey)

      const all = yield* runCli(["removals", "list", "--all", "--format", "csv"], { env })
      expect(all.code).toBe(0)
      const [header, ...rows] = parseCsv(all.stdout)
      expect(header).toEqual(COLUMNS)
      expect(rows).toHaveLength(130)
      expect(rows).toEqual(api.map((r) => COLUMNS.map((c) => csvText(r[c]))))
      expect(new Set(rows.map((r) => r[1]))).toEqual(new Set(ids))

      const second = yield* runCli(["removals", "list", "--page", "2", "--limit", "50", "--format", "csv"], { env })
      const [, ...page] = parseCsv(second.stdout)
      expect(page.map((r) => r[0])).toEqual(api.slice(50, 100).map((r) => r["id"]))
      expect(second.stderr).toContain("Page 2 of 3, 130 removals in all. Next: --page 3, or --all.")
    }))

  it.effect("get: one lead's record for people and for scripts; a lead never removed is not found (exit 1)", () =>
    Effect.gen(function*() {
      const { env, gw, kept, org, pending } = yield* staged
      const [record] = (yield* apiRecords(gw.baseUrl, org.apiKey)).filter((r) => r["lead_id"] === pending.id)
      const people = yield* runCli(["removals", "get", pending.id], { env })
      expect(people.code).toBe(0)
      expect(people.stdout).toMatch(new RegExp(`lead\\s+${pending.id}`))
      expect(people.stdout).toMatch(/removed from\s+pending/)
      expect(people.stdout).toMatch(/call in progress\s+no/)
      expect(people.stdout).toContain(`api key           ${org.apiKeyId}`)
      const json = yield* runCli(["removals", "get", pending.id, "--json"], { env })
      expect(jsonLines(json.stdout)).toEqual([record])
      const never = yield* runCli(["removals", "get", kept.id], { env })
      expect(never.code).toBe(1)
      expect(never.stderr).toContain(`No removal of lead ${kept.id}`)
      // Another organization's key: not found either.
      const other = yield* gw.newOrganization()
      const foreign = yield* runCli(["removals", "get", pending.id], { env: { ...env, LEADQ_API_KEY: other.apiKey } })
      expect(foreign.code).toBe(1)
      const empty = yield* runCli(["removals", "list", "--format", "csv"], { env: { ...env, LEADQ_API_KEY: other.apiKey } })
      expect(empty.stdout).toBe(`${COLUMNS.join(",")}\n`)
    }))

  it.effect("bad usage exits 2: a bad date, an unknown format, --json with --format csv, --all with --page", () =>
    Effect.gen(function*() {
      const gw = yield* TestGateway
      const env = { LEADQ_URL: gw.baseUrl, LEADQ_API_KEY: gw.apiKey }
      const badDate = yield* runCli(["removals", "list", "--from", "last tuesday"], { env })
      expect(badDate.code).toBe(2)
      expect(badDate.stderr).toContain("--from must be an ISO 8601 date")
      expect((yield* runCli(["removals", "list", "--format", "xml"], { env })).code).toBe(2)
      const both = yield* runCli(["removals", "list", "--json", "--format", "csv"], { env })
      expect(both.code).toBe(2)
      expect(both.stderr).toContain("--json and --format csv disagree")
      expect((yield* runCli(["removals", "list", "--all", "--page", "2"], { env })).code).toBe(2)
      const badPhone = yield* runCli(["removals", "list", "--phone", "4155550123"], { env })
      expect(badPhone.code).toBe(1)
      expect(badPhone.stderr).toContain("E.164")
    }))
})
