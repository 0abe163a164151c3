import { afterAll, expect, layer } from "@effect/vitest"
import type { E164 } from "@leadq/domain"
import { CampaignRepository, LeadRepository } from "@leadq/domain"
// The gateway's own test harness: a real gateway listening on a free port over a fresh database.
// Tests may start the app they talk to; the module boundary is about runtime code.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { TestGateway, testGatewayLayer } from "@leadq/gateway/testing"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { campaignDraft } from "./CampaignDrafts.js"
import { jsonLines, removeTempDirs, runCli } from "./RunCli.js"

afterAll(removeTempDirs)

layer(testGatewayLayer("sqlite"), { excludeTestServices: true, timeout: 120_000 })("leadq suppressions against a real gateway", (it) => {
  it.effect("add, list, get, remove (lift), and leads remove --suppress", () =>
    Effect.gen(function*() {
      const gw = yield* TestGateway
      const org = yield* gw.newOrganization()
      const env = { LEADQ_URL: gw.baseUrl, LEADQ_API_KEY: org.apiKey }

      const added = yield* runCli(["suppressions", "add", "+14155550401", "--reason", "asked not to be called"], { env })
      expect(added.code).toBe(0)
      expect(added.stdout).toContain("+14155550401")
      expect(added.stdout).toContain("asked not to be called")
      const national = yield* runCli(["suppressions", "add", "4155550402", "--country-code", "1", "--json"], { env })
      expect(national.code).toBe(0)
      expect(jsonLines(national.stdout)[0]).toMatchObject({ phone_number: "+14155550402", reason: null, expires_at: null })

      const list = yield* runCli(["suppressions", "list", "--json"], { env })
      expect(list.code).toBe(0)
      expect(jsonLines(list.stdout).map((s) => s["phone_number"])).toEqual(["+14155550401", "+14155550402"])
      const table = yield* runCli(["suppressions", "list"], { env })
      expect(table.stdout).toMatch(/^PHONE\s+REASON\s+EXPIRES\s+API KEY\s+SUPPRESSED AT\n/)
      expect(table.stdout).toMatch(/\+14155550401\s+asked not to be called\s+never/)

      const get = yield* runCli(["suppressions", "get", "+14155550401", "--json"], { env })
      expect(jsonLines(get.stdout)[0]).toMatchObject({ phone_number: "+14155550401", api_key_id: org.apiKeyId })

      const lifted = yield* runCli(["suppressions", "remove", "+14155550401"], { env })
      expect(lifted.code).toBe(0)
      expect(lifted.stdout).toContain(`Lifted the suppression of +14155550401`)
      const gone = yield* runCli(["suppressions", "get", "+14155550401"], { env })
      expect(gone.code).toBe(1)
      expect(gone.stderr).toContain("not suppressed")
      // The lift is shown, with who had suppressed the number and why.
      expect(gone.stdout).toMatch(/^Lifted 1 time:\nLIFTED AT\s+LIFTED BY\s+SUPPRESSED AT\s+SUPPRESSED BY\s+REASON\s+EXPIRES\n/)
      expect(gone.stdout).toMatch(new RegExp(`${org.apiKeyId}\\s+\\S+ \\S+\\s+${org.apiKeyId}\\s+asked not to be called\\s+never`))
      const goneJson = yield* runCli(["suppressions", "get", "+14155550401", "--json"], { env })
      expect(goneJson.code).toBe(1)
      expect(jsonLines(goneJson.stdout)).toEqual([{
        phone_number: "+14155550401",
        lifts: [expect.objectContaining({ reason: "asked not to be called", suppressed_by: org.apiKeyId, lifted_by: org.apiKeyId })]
      }])
      // Suppressed again: the suppression, then its history.
      expect((yield* runCli(["suppressions", "add", "+14155550401", "--reason", "asked again"], { env })).code).toBe(0)
      const again = yield* runCli(["suppressions", "get", "+14155550401"], { env })
      expect(again.code).toBe(0)
      expect(again.stdout).toMatch(/reason\s+asked again[\s\S]*Lifted 1 time:[\s\S]*asked not to be called/)
      const againJson = jsonLines((yield* runCli(["suppressions", "get", "+14155550401", "--json"], { env })).stdout)
      expect(againJson).toEqual([expect.objectContaining({ reason: "asked again", lifts: [expect.objectContaining({ reason: "asked not to be called" })] })])
      // A number never suppressed: not found, nothing on stdout.
      const never = yield* runCli(["suppressions", "get", "+14155550499"], { env })
      expect({ code: never.code, stdout: never.stdout }).toEqual({ code: 1, stdout: "" })
      const bad = yield* runCli(["suppressions", "add", "12345"], { env })
      expect(bad.code).toBe(2)

      // Another organization sees nothing.
      const other = yield* gw.newOrganization()
      const foreign = yield* runCli(["suppressions", "list", "--json"], { env: { ...env, LEADQ_API_KEY: other.apiKey } })
      expect({ code: foreign.code, stdout: foreign.stdout }).toEqual({ code: 0, stdout: "" })

      const campaigns = yield* CampaignRepository
      const leads = yield* LeadRepository
      const campaign = yield* campaigns.create(org.organizationId, { ...campaignDraft("Opt-outs"), scheduled_at: new Date("2099-01-01T00:00:00Z") })
      const lead = yield* leads.add(org.organizationId, campaign.id, { name: null, phone_number: "+14155550403" as E164, notes: {} })
      yield* leads.add(org.organizationId, campaign.id, { name: null, phone_number: "+14155550404" as E164, notes: {} })
      const removed = yield* runCli(["leads", "remove", lead.id, "--reason", "stop", "--suppress"], { env })
      expect(removed.code).toBe(0)
      expect(removed.stdout).toContain("Its number is suppressed")
      const nowSuppressed = yield* runCli(["suppressions", "get", "+14155550403", "--json"], { env })
      expect(jsonLines(nowSuppressed.stdout)[0]).toMatchObject({ phone_number: "+14155550403", reason: "stop" })
      // And a lead with it is refused.
      const refused = yield* runCli(["leads", "add", "--campaign", campaign.id, "--phone", "+14155550403"], { env })
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain("+14155550403 is suppressed")
    }), 180_000)

  it.effect("upload: a CSV of numbers", () =>
    Effect.gen(function*() {
      const gw = yield* TestGateway
      const org = yield* gw.newOrganization()
      const env = { LEADQ_URL: gw.baseUrl, LEADQ_API_KEY: org.apiKey }
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leadq-suppressions-"))
      const file = path.join(dir, "dnc.csv")
      fs.writeFileSync(file, "phone_number,reason\n+14155550501,dnc list\n+14155550502,\n")
      const result = yield* runCli(["suppressions", "upload", "--file", file, "--json"], { env })
      fs.rmSync(dir, { recursive: true, force: true })
      expect(result.code).toBe(0)
      expect(jsonLines(result.stdout)[0]).toMatchObject({ suppressed: 2, updated: 0, skipped: 0 })
      const list = yield* runCli(["suppressions", "list", "--json"], { env })
      expect(jsonLines(list.stdout).map((s) => [s["phone_number"], s["reason"]])).toEqual([["+14155550501", "dnc list"], ["+14155550502", null]])
    }))

  it.effect("leads upload lists suppressed and duplicate rows in one table, each with its reason", () =>
    Effect.gen(function*() {
      const gw = yield* TestGateway
      const org = yield* gw.newOrganization()
      const env = { LEADQ_URL: gw.baseUrl, LEADQ_API_KEY: org.apiKey }
      expect((yield* runCli(["suppressions", "add", "+14155550601"], { env })).code).toBe(0)
      const campaigns = yield* CampaignRepository
      const leads = yield* LeadRepository
      const campaign = yield* campaigns.create(org.organizationId, { ...campaignDraft("Mixed"), scheduled_at: new Date("2099-01-01T00:00:00Z") })
      const held = yield* leads.add(org.organizationId, campaign.id, { name: null, phone_number: "+14155550602" as E164, notes: {} })
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leadq-leads-"))
      const file = path.join(dir, "leads.csv")
      fs.writeFileSync(file, "phone_number\n+14155550601\n+14155550602\n+14155550603\n")
      const result = yield* runCli(["leads", "upload", "--campaign", campaign.id, "--file", file], { env })
      fs.rmSync(dir, { recursive: true, force: true })
      expect(result.code).toBe(0)
      expect(result.stdout).toContain(
        `Added 1 leads to campaign ${campaign.id}; 0 rows without a phone number skipped; ` +
          "1 rows with a number the campaign already holds skipped; 1 rows with a suppressed number skipped:"
      )
      expect(result.stdout).toMatch(/2\s+\+14155550601\s+suppressed\s*\n/)
      expect(result.stdout).toMatch(new RegExp(`3\\s+\\+14155550602\\s+duplicate\\s+${held.id}`))
    }))
})
