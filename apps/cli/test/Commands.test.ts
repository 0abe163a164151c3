import { afterAll, describe, expect, layer } from "@effect/vitest"
// The gateway's own test harness: a real gateway listening on a free port over a fresh database.
// Tests may start the app they talk to; the module boundary is about runtime code.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { TestGateway, testGatewayLayer } from "@leadq/gateway/testing"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { Forward, startProxy, unavailableFor } from "./Proxy.js"
import { closedPort, jsonLines, removeTempDirs, runCli, tempDir } from "./RunCli.js"

afterAll(removeTempDirs)

/** `leadq …` against the test gateway, with its key (or the environment given). */
const leadq = (args: ReadonlyArray<string>, env: Readonly<Record<string, string | undefined>> = {}) =>
  Effect.flatMap(TestGateway, (gw) => runCli(args, { env: { LEADQ_URL: gw.baseUrl, LEADQ_API_KEY: gw.apiKey, ...env } }))

/** `leadq … --json` that must succeed: its JSON lines. */
const leadqJson = (args: ReadonlyArray<string>) =>
  Effect.map(leadq([...args, "--json"]), (r) => {
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    return jsonLines(r.stdout)
  })

const createCampaign = (name: string) =>
  Effect.map(
    leadqJson(["campaigns", "create", "--name", name, "--agent-id", "agent_1", "--from", "+14155550100"]),
    ([c]) => c as { id: string; name: string; status: string }
  )

const tmpFile = (name: string, content: string) => {
  const file = path.join(tempDir(), name)
  fs.writeFileSync(file, content)
  return file
}

const ANSI = "\x1b["

layer(testGatewayLayer("sqlite"), { excludeTestServices: true, timeout: 120_000 })("leadq against a real gateway", (it) => {
  describe("campaigns", () => {
    it.effect("create, get, list: a table for people, JSON for scripts", () =>
      Effect.gen(function*() {
        const people = yield* leadq([
          "campaigns", "create", "--name", "Renewals", "--agent-id", "agent_1", "--from", "+1 415 555 0100",
          "--max-concurrent-calls", "3", "--max-retries", "2", "--retry-interval", "30",
          "--window-start", "09:00", "--window-end", "17:00", "--timezone", "Europe/Paris", "--days", "mon,tue"
        ])
        expect(people.code).toBe(0)
        const id = /Created campaign (cmp_[0-9a-z]+)/.exec(people.stderr)?.[1]
        expect(id).toBeDefined()
        expect(people.stdout).toMatch(/name\s+Renewals/)
        expect(people.stdout).toMatch(/status\s+running/)
        expect(people.stdout).toMatch(/retries\s+2, every 30 min/)
        expect(people.stdout).toMatch(/calling window\s+09:00–17:00 Europe\/Paris \(mon,tue\)/)
        expect(people.stdout).not.toContain(ANSI) // not a terminal: no colours

        const [got] = yield* leadqJson(["campaigns", "get", id!])
        expect(got).toMatchObject({ id, name: "Renewals", status: "running", max_concurrent_calls: 3, total_leads: 0 })
        expect(got!["retry_config"]).toEqual({ max_retries: 2, retry_interval_minutes: 30 })

        const table = yield* leadq(["campaigns", "list", "--limit", "100"])
        expect(table.code).toBe(0)
        const lines = table.stdout.trim().split("\n")
        expect(lines[0]).toMatch(/^ID\s+NAME\s+STATUS\s+LEADS\s+PENDING/)
        expect(lines.some((l) => l.startsWith(id!) && /Renewals\s+running/.test(l))).toBe(true)
        expect(table.stderr).toMatch(/Page 1 of 1/)

        const listed = yield* leadqJson(["campaigns", "list", "--all"])
        expect(listed.map((c) => c["id"])).toContain(id)
        for (const c of listed) expect(typeof c["created_at"]).toBe("string")
      }))

    it.effect("pause, resume, cancel; a second cancel is a clear 409 and exit 1", () =>
      Effect.gen(function*() {
        const campaign = yield* createCampaign("Lifecycle")
        const paused = yield* leadq(["campaigns", "pause", campaign.id])
        expect(paused.code).toBe(0)
        expect(paused.stdout).toMatch(new RegExp(`Campaign ${campaign.id} \\(Lifecycle\\) is paused\\.`))
        expect((yield* leadqJson(["campaigns", "list", "--status", "paused", "--all"])).map((c) => c["id"])).toContain(campaign.id)
        const [resumed] = yield* leadqJson(["campaigns", "resume", campaign.id])
        expect(resumed!["status"]).toBe("running")
        const [cancelled] = yield* leadqJson(["campaigns", "cancel", campaign.id])
        expect(cancelled!["status"]).toBe("cancelled")

        const again = yield* leadq(["campaigns", "cancel", campaign.id])
        expect(again.code).toBe(1)
        expect(again.stdout).toBe("")
        expect(again.stderr).toContain(`Error: Campaign ${campaign.id} is cancelled.`)
        const resumeTerminal = yield* leadq(["campaigns", "resume", campaign.id, "--json"])
        expect(resumeTerminal.code).toBe(1)
        const error = JSON.parse(resumeTerminal.stderr.trim()) as { error: { code: string } }
        expect(["CampaignTerminal", "InvalidTransition"]).toContain(error.error.code)
      }))

    it.effect("an unknown campaign is a clear 404 and exit 1", () =>
      Effect.gen(function*() {
        const missing = yield* leadq(["campaigns", "get", "cmp_0000000000000000000000zz"])
        expect(missing.code).toBe(1)
        expect(missing.stderr).toContain("Error: Campaign cmp_0000000000000000000000zz not found.")
        const json = yield* leadq(["campaigns", "get", "cmp_0000000000000000000000zz", "--json"])
        expect(json.code).toBe(1)
        expect(JSON.parse(json.stderr)).toEqual({
          error: { code: "CampaignNotFound", message: "Campaign cmp_0000000000000000000000zz not found.", details: [] }
        })
      }))
  })

  describe("leads", () => {
    it.effect("add, get, list, remove; a second removal is a clear 404 and exit 1", () =>
      Effect.gen(function*() {
        const campaign = yield* createCampaign("Leads")
        const [lead] = yield* leadqJson([
          "leads", "add", "--campaign", campaign.id, "--phone", "4155550123", "--country-code", "1",
          "--name", "Ada", "--note", "plan=gold", "--note", "city=London"
        ])
        expect(lead).toMatchObject({ campaign_id: campaign.id, phone_number: "+14155550123", name: "Ada", status: "pending" })
        expect(lead!["notes"]).toEqual({ plan: "gold", city: "London" })
        const id = lead!["id"] as string
        // a second lead, so that removing the first does not drain (and so complete) the campaign
        const [other] = yield* leadqJson(["leads", "add", "--campaign", campaign.id, "--phone", "+14155550199"])

        const shown = yield* leadq(["leads", "get", id])
        expect(shown.code).toBe(0)
        expect(shown.stdout).toMatch(/phone\s+\+14155550123/)
        expect(shown.stdout).toMatch(/notes\s+.*plan=gold/)
        expect(shown.stdout).toMatch(/notes\s+.*city=London/)

        const table = yield* leadq(["leads", "list", "--campaign", campaign.id])
        expect(table.stdout).toMatch(new RegExp(`${id}\\s+\\+14155550123\\s+Ada\\s+pending`))
        const byPhone = yield* leadqJson(["leads", "list", "--phone", "+14155550123", "--campaign", campaign.id])
        expect(byPhone.map((l) => l["id"])).toEqual([id])

        const removed = yield* leadq(["leads", "remove", id, "--reason", "opt-out"])
        expect(removed.code).toBe(0)
        expect(removed.stdout).toContain(`Removed lead ${id} from its campaign (it was pending).`)

        const again = yield* leadq(["leads", "remove", id])
        expect(again.code).toBe(1)
        expect(again.stderr).toContain(`Error: Lead ${id} not found.`)
        const gone = yield* leadq(["leads", "get", id])
        expect(gone.code).toBe(1)
        const listedRemoved = yield* leadqJson(["leads", "list", "--campaign", campaign.id, "--status", "removed"])
        expect(listedRemoved.map((l) => l["id"])).toEqual([id])

        const [removal] = yield* leadqJson(["leads", "remove", other!["id"] as string])
        expect(removal).toEqual({ message: "Lead removed from campaign.", lead_id: other!["id"], removed_from: "pending", call_in_progress: false })
      }))

    it.effect("a lead of a cancelled campaign cannot be removed: 409, exit 1, and it stays", () =>
      Effect.gen(function*() {
        const campaign = yield* createCampaign("Cancelled")
        const [lead] = yield* leadqJson(["leads", "add", "--campaign", campaign.id, "--phone", "+14155550124"])
        yield* leadqJson(["campaigns", "cancel", campaign.id])
        const refused = yield* leadq(["leads", "remove", lead!["id"] as string])
        expect(refused.code).toBe(1)
        expect(refused.stderr).toContain(`Error: Campaign ${campaign.id} is cancelled.`)
        const [still] = yield* leadqJson(["leads", "get", lead!["id"] as string])
        expect(still!["status"]).toBe("pending")
      }))

    it.effect("upload a CSV: counts, then every lead listed with --all", () =>
      Effect.gen(function*() {
        const campaign = yield* createCampaign("Upload")
        const rows = Array.from({ length: 250 }, (_, i) => `+1415557${String(1000 + i)},Person ${i},gold`)
        const file = tmpFile("leads.csv", ["phone_number,name,plan", ...rows, ",No number,x"].join("\r\n"))
        const people = yield* leadq(["leads", "upload", "--campaign", campaign.id, "--file", file])
        expect(people.code).toBe(0)
        expect(people.stdout).toContain(`Added 250 leads to campaign ${campaign.id}; 1 rows without a phone number skipped.`)
        expect(people.stderr).not.toContain("█") // no progress bar outside a terminal
        const all = yield* leadqJson(["leads", "list", "--campaign", campaign.id, "--all"])
        expect(all).toHaveLength(250)
        expect(all[249]).toMatchObject({ name: "Person 249", notes: { plan: "gold" } })

        const [more] = yield* leadqJson(["leads", "upload", "--campaign", campaign.id, "--file", tmpFile("more.csv", "phone_number\n+14155550300\n+14155550301\n")])
        expect(more).toMatchObject({ campaign_id: campaign.id, leads_created: 2, leads_skipped: 0 })

        // Numbers the campaign holds, and a repeat within the file: skipped, listed with their rows.
        const dup = tmpFile("dup.csv", "phone_number,name\n+14155550300,Again\n+14155550302,New\n+14155571000,Held\n+14155550302,Twice\n")
        const skipped = yield* leadq(["leads", "upload", "--campaign", campaign.id, "--file", dup])
        expect(skipped.code).toBe(0)
        expect(skipped.stdout).toContain(
          `Added 1 leads to campaign ${campaign.id}; 0 rows without a phone number skipped; 3 rows with a number the campaign already holds skipped:`
        )
        const [held] = yield* leadqJson(["leads", "list", "--campaign", campaign.id, "--phone", "+14155550300"])
        const [fresh] = yield* leadqJson(["leads", "list", "--campaign", campaign.id, "--phone", "+14155550302"])
        expect(skipped.stdout).toMatch(/ROW\s+PHONE\s+REASON\s+HELD BY/)
        expect(skipped.stdout).toMatch(new RegExp(`2\\s+\\+14155550300\\s+duplicate\\s+${held!["id"]}`))
        expect(skipped.stdout).toMatch(new RegExp(`5\\s+\\+14155550302\\s+duplicate\\s+${fresh!["id"]}`))
        const [asJson] = yield* leadqJson(["leads", "upload", "--campaign", campaign.id, "--file", dup])
        expect(asJson).toMatchObject({ leads_created: 0, leads_skipped: 4, skipped_unlisted: 0 })
        expect((asJson!["skipped"] as Array<Record<string, unknown>>).map((s) => s["row"])).toEqual([2, 3, 4, 5])

        // One lead added by hand with a held number: 409, exit 1, the holder named.
        const twice = yield* leadq(["leads", "add", "--campaign", campaign.id, "--phone", "+14155550300"])
        expect(twice.code).toBe(1)
        expect(twice.stderr).toContain(`already holds +14155550300 (lead ${held!["id"]})`)
        expect(twice.stderr).toContain(`See it: leadq leads get ${held!["id"]}`)

        const bad = tmpFile("bad.csv", "phone_number\n+14155550100\nnope\n")
        const refused = yield* leadq(["leads", "upload", "--campaign", campaign.id, "--file", bad])
        expect(refused.code).toBe(1)
        expect(refused.stderr).toContain("The gateway refused the request:")
        expect(refused.stderr).toMatch(/row 3/i)
      }))
  })

  describe("usage and configuration", () => {
    it.effect("bad usage exits 2: unknown command, missing argument, bad flag values", () =>
      Effect.gen(function*() {
        const results = yield* Effect.forEach([
            ["campaign", "list"],
            ["campaigns", "get"],
            ["campaigns", "list", "--limit", "abc"],
            ["campaigns", "list", "--limit", "500"],
            ["campaigns", "list", "--status", "sleeping"],
            ["campaigns", "list", "--bogus"],
            ["leads", "upload", "--campaign", "cmp_x", "--file", "/no/such/file.csv"],
            ["campaigns"],
            []
        ], (args) => Effect.map(leadq(args), (r) => ({ args, r })), { concurrency: 3 })
        for (const { args, r } of results) {
          expect({ args, code: r.code }).toEqual({ args, code: 2 })
          expect(r.stdout).toBe("")
          expect(r.stderr).not.toBe("")
        }
      }))

    it.effect("a campaign the contract refuses is bad usage, named by its flags, and nothing is created", () =>
      Effect.gen(function*() {
        const before = yield* leadqJson(["campaigns", "list", "--all"])
        const r = yield* leadq(["campaigns", "create", "--name", "X", "--agent-id", "a", "--from", "12345", "--max-retries", "9"])
        expect(r.code).toBe(2)
        expect(r.stderr).toContain("--from: must be an E.164 phone number")
        expect(r.stderr).toContain("--max-retries: must be an integer from 0 to 4")
        expect(yield* leadqJson(["campaigns", "list", "--all"])).toHaveLength(before.length)
      }))

    it.effect("no API key is bad usage (2); a wrong one is a failed request (1) with a hint", () =>
      Effect.gen(function*() {
        const none = yield* leadq(["campaigns", "list"], { LEADQ_API_KEY: undefined })
        expect(none.code).toBe(2)
        expect(none.stderr).toContain("No API key.")
        const wrong = yield* leadq(["campaigns", "list"], { LEADQ_API_KEY: "lq_wrong" })
        expect(wrong.code).toBe(1)
        expect(wrong.stderr).toContain("LEADQ_API_KEY")
        // flags win over the environment
        const gw = yield* TestGateway
        const flagged = yield* runCli(["campaigns", "list", "--url", gw.baseUrl, "--api-key", gw.apiKey], { env: { LEADQ_URL: "http://127.0.0.1:1", LEADQ_API_KEY: "lq_wrong" } })
        expect(flagged.code).toBe(0)
      }))

    it.effect("the environment is read as the flags are: a bad LEADQ_URL is named, a blank variable is unset", () =>
      Effect.gen(function*() {
        const bad = yield* leadq(["campaigns", "list"], { LEADQ_URL: "ftp://x" })
        expect(bad.code).toBe(2)
        expect(bad.stderr).toContain(`LEADQ_URL: The gateway URL must be http:// or https:// (such as http://127.0.0.1:8080), got "ftp://x".`)
        const badFlag = yield* leadq(["campaigns", "list", "--url", "127.0.0.1:8080"])
        expect(badFlag.code).toBe(2)
        expect(badFlag.stderr).toContain(`got "127.0.0.1:8080"`)
        const blankKey = yield* leadq(["campaigns", "list"], { LEADQ_API_KEY: "  " })
        expect(blankKey.code).toBe(2)
        expect(blankKey.stderr).toContain("No API key.")
        // a blank LEADQ_URL does not hide the flag's value, nor is it taken for one
        const gw = yield* TestGateway
        const blankUrl = yield* runCli(["campaigns", "list", "--api-key", gw.apiKey, "--url", ` ${gw.baseUrl} `], { env: { LEADQ_URL: " " } })
        expect(blankUrl.code).toBe(0)
      }))

    it.effect("every usage error is one 'Error:' line for people and one JSON line under --json, whoever found it", () =>
      Effect.gen(function*() {
        for (const args of [["campaigns", "list", "--limit", "abc"], ["campaigns", "list", "--limit", "500"], ["call-logs", "list", "--since", "yesterday"]]) {
          const people = yield* leadq(args)
          expect({ args, code: people.code }).toEqual({ args, code: 2 })
          expect(people.stderr).toMatch(/^Error: /)
          const scripts = yield* leadq([...args, "--json"])
          expect(scripts.code).toBe(2)
          expect(scripts.stdout).toBe("")
          expect(JSON.parse(scripts.stderr.trim())).toMatchObject({ error: { code: "UsageError" } })
        }
        const since = yield* leadq(["call-logs", "list", "--since", "yesterday"])
        expect(since.stderr).toContain(`--since must be an ISO 8601 date or date-time such as 2026-06-01T09:00:00Z, got "yesterday".`)
      }))

    it.effect("a 503 with Retry-After is waited for, then a read succeeds; a creation answered 503 is sent again with its key, once", () =>
      Effect.gen(function*() {
        const gw = yield* TestGateway
        const campaign = yield* createCampaign("Behind a busy balancer")
        const path = `/v1/campaigns/${campaign.id}`
        // The balancer turns away the first request of each kind, asking for a second's patience.
        const turnedAway = new Set<string>()
        const proxy = yield* startProxy(gw.baseUrl, (request) => {
          if (turnedAway.has(request.method)) return Forward
          turnedAway.add(request.method)
          return unavailableFor(1)
        })
        const read = yield* leadq(["campaigns", "get", campaign.id, "--json"], { LEADQ_URL: proxy.url })
        expect(read.code).toBe(0)
        expect(jsonLines(read.stdout)[0]).toMatchObject({ id: campaign.id })
        const reads = proxy.seen.filter((r) => r.path === path)
        expect(reads.map((r) => r.method)).toEqual(["GET", "GET"])
        // as the proxy saw them: the second came at least the second it asked for after the first
        expect(reads[1]!.at - reads[0]!.at).toBeGreaterThanOrEqual(1000)

        // A POST is sent again too, under the same Idempotency-Key (docs/api.md §12): one campaign.
        const before = yield* leadqJson(["campaigns", "list", "--all"])
        const create = yield* leadq(["campaigns", "create", "--name", "Exactly once", "--agent-id", "a", "--from", "+14155550100"], { LEADQ_URL: proxy.url })
        expect(create.code).toBe(0)
        const posts = proxy.seen.filter((r) => r.method === "POST")
        expect(posts).toHaveLength(2)
        expect(posts[0]!.idempotencyKey).toBeDefined()
        expect(posts[1]!.idempotencyKey).toBe(posts[0]!.idempotencyKey)
        expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(1000)
        expect(yield* leadqJson(["campaigns", "list", "--all"])).toHaveLength(before.length + 1)
      }).pipe(Effect.scoped))

    it.effect("a gateway that is not there is exit 1 with the cause, after the retries", () =>
      Effect.gen(function*() {
        const port = yield* closedPort
        const r = yield* leadq(["campaigns", "list"], { LEADQ_URL: `http://127.0.0.1:${port}` })
        expect(r.code).toBe(1)
        expect(r.stderr).toContain("ECONNREFUSED")
        expect(r.stderr).toContain("LEADQ_URL")
      }))

    it.effect("--help everywhere, with examples; completions", () =>
      Effect.gen(function*() {
        for (const args of [["--help"], ["leads", "remove-many", "--help"], ["call-logs", "follow", "--help"], ["keys", "create", "--help"]]) {
          const r = yield* runCli(args)
          expect(r.code).toBe(0)
          expect(r.stdout).toContain("Examples")
          expect(r.stdout).toContain("$ leadq")
          expect(r.stdout).not.toContain(ANSI)
        }
        const bash = yield* runCli(["--completions", "bash"])
        expect(bash.code).toBe(0)
        expect(bash.stdout).toContain("remove-many")
      }))
  })
})
