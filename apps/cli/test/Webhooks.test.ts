import { afterAll, expect, layer } from "@effect/vitest"
// The gateway's own test harness: a real gateway listening on a free port over a fresh database.
// Tests may start the app they talk to; the module boundary is about runtime code.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { TestGateway, testGatewayLayer } from "@leadq/gateway/testing"
import { Effect } from "effect"
import { jsonLines, removeTempDirs, runCli } from "./RunCli.js"

afterAll(removeTempDirs)

layer(testGatewayLayer("sqlite"), { excludeTestServices: true, timeout: 120_000 })("leadq webhooks against a real gateway", (it) => {
  it.effect("create (the secret printed once), list, get, update, delete; bad usage exits 2, a refused request 1", () =>
    Effect.gen(function*() {
      const gw = yield* TestGateway
      const org = yield* gw.newOrganization()
      const env = { LEADQ_URL: gw.baseUrl, LEADQ_API_KEY: org.apiKey }

      const created = yield* runCli(
        ["webhooks", "create", "https://crm.example.com/leadq", "--events", "lead.removed, call.ended", "--description", "CRM opt-outs"],
        { env }
      )
      expect(created.code).toBe(0)
      const secret = /whsec_[0-9a-z]{32}/.exec(created.stdout)?.[0]
      expect(secret).toBeDefined()
      expect(created.stdout).toContain("https://crm.example.com/leadq")
      expect(created.stdout).toContain("lead.removed, call.ended")
      const id = /wh_[0-9a-z]{24}/.exec(created.stdout)![0]

      const json = yield* runCli(["webhooks", "create", "http://127.0.0.1:9/x", "--events", "campaign.status_changed", "--disabled", "--json"], { env })
      expect(json.code).toBe(0)
      const [second] = jsonLines(json.stdout)
      expect(second).toMatchObject({ url: "http://127.0.0.1:9/x", events: ["campaign.status_changed"], enabled: false, description: null })
      expect(second!["secret"]).toMatch(/^whsec_/)

      const list = yield* runCli(["webhooks", "list", "--json"], { env })
      expect(list.code).toBe(0)
      const listed = jsonLines(list.stdout)
      expect(listed.map((e) => e["id"])).toEqual([id, second!["id"]])
      expect(listed.every((e) => e["secret"] === undefined)).toBe(true)
      const table = yield* runCli(["webhooks", "list"], { env })
      expect(table.stdout).toMatch(/^ID\s+URL\s+EVENTS\s+ENABLED\s+CREATED AT\n/)
      expect(table.stdout).not.toContain(secret!)

      const get = yield* runCli(["webhooks", "get", id, "--json"], { env })
      expect(jsonLines(get.stdout)[0]).toMatchObject({ id, events: ["lead.removed", "call.ended"], enabled: true, description: "CRM opt-outs" })

      const updated = yield* runCli(["webhooks", "update", id, "--disable", "--events", "call.started", "--clear-description", "--json"], { env })
      expect(updated.code).toBe(0)
      expect(jsonLines(updated.stdout)[0]).toMatchObject({ id, events: ["call.started"], enabled: false, description: null })
      const moved = yield* runCli(["webhooks", "update", id, "--endpoint-url", "https://new.example.com/h", "--enable"], { env })
      expect(moved.code).toBe(0)
      expect(moved.stdout).toContain("https://new.example.com/h")

      // Bad usage (checked before sending): exit 2.
      expect((yield* runCli(["webhooks", "create", "https://crm.example.com/x", "--events", "lead.exploded"], { env })).code).toBe(2)
      expect((yield* runCli(["webhooks", "update", id], { env })).code).toBe(2)
      expect((yield* runCli(["webhooks", "update", id, "--enable", "--disable"], { env })).code).toBe(2)
      // Refused by the gateway: exit 1, the reason on stderr.
      const badUrl = yield* runCli(["webhooks", "create", "ftp://crm.example.com/x", "--events", "lead.removed"], { env })
      expect(badUrl.code).toBe(1)
      expect(badUrl.stderr).toContain("must be an http or https URL")

      const deleted = yield* runCli(["webhooks", "delete", id], { env })
      expect(deleted.code).toBe(0)
      expect(deleted.stdout).toContain(`Deleted webhook endpoint ${id}`)
      const gone = yield* runCli(["webhooks", "get", id], { env })
      expect(gone.code).toBe(1)
      expect(gone.stderr).toContain("not found")

      // Another organization sees none of them.
      const other = yield* gw.newOrganization()
      const foreign = yield* runCli(["webhooks", "get", second!["id"] as string], { env: { ...env, LEADQ_API_KEY: other.apiKey } })
      expect(foreign.code).toBe(1)
    }), 300_000)
})
