import { SqlClient } from "@effect/sql"
import { afterAll, expect, layer } from "@effect/vitest"
import type { CampaignDraft, CampaignLead, E164, LeadId } from "@leadq/domain"
import { CallOutcome, CampaignRepository, LeadQueue, LeadRepository, RetryConfig, unsafeMakeId } from "@leadq/domain"
// The gateway's own test harness: a real gateway listening on a free port over a fresh database.
// Tests may start the app they talk to; the module boundary is about runtime code.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { TestGateway, testGatewayLayer } from "@leadq/gateway/testing"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { envelope, Forward, startProxy, unavailableFor } from "./Proxy.js"
import { jsonLines, removeTempDirs, runCli, startCli, tempDir } from "./RunCli.js"

afterAll(removeTempDirs)

const leadq = (args: ReadonlyArray<string>, url?: string) =>
  Effect.flatMap(TestGateway, (gw) => runCli(args, { env: { LEADQ_URL: url ?? gw.baseUrl, LEADQ_API_KEY: gw.apiKey } }))

const summaryOf = (stdout: string) => jsonLines(stdout).at(-1) as {
  entries: number
  duplicates: number
  removed: { total: number; pending: number; claimed: number; in_call: number; called: number }
  calls_in_progress: number
  already_removed: number
  not_found: number
  refused: number
  errors: number
  retries: number
  failures: number
  failures_file: string | null
  interrupted: boolean
}

const draft = (name: string, maxConcurrentCalls = 1): CampaignDraft => ({
  name,
  agent_id: "agent_1",
  from_phone_number: "+14155550100" as E164,
  max_concurrent_calls: maxConcurrentCalls,
  retry_config: new RetryConfig({ max_retries: 0, retry_interval_minutes: 60 })
})

const phone = (n: number) => `+1415${String(3_000_000 + n)}` as E164

const tmpDir = () => tempDir("leadq-remove-many-")

/** A paused campaign (nothing dials its leads) with `count` pending leads, numbered from `firstPhone`. */
const pausedWithLeads = (name: string, count: number, firstPhone: number) =>
  Effect.gen(function*() {
    const org = (yield* TestGateway).organizationId
    const campaigns = yield* CampaignRepository
    const leads = yield* LeadRepository
    const campaign = yield* campaigns.create(org, draft(name))
    yield* campaigns.update(org, campaign.id, { status: "paused" })
    const added: Array<CampaignLead> = []
    for (let i = 0; i < count; i++) added.push(yield* leads.add(org, campaign.id, { name: null, phone_number: phone(firstPhone + i), notes: {} }))
    return { campaign, added }
  })

const BULK = "/v1/campaigns-leads/bulk-remove"

/** The lead ids (or numbers) of a bulk-removal request the proxy saw. */
const namedIn = (body: string): ReadonlyArray<string> => {
  const parsed = JSON.parse(body) as { lead_ids?: Array<string>; phone_numbers?: Array<string> }
  return parsed.lead_ids ?? parsed.phone_numbers ?? []
}

/** Failure lines of a failures file: value and kind, comments aside. */
const failureLines = (file: string) =>
  fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#")).map((l) => {
    const [value, comment] = l.split("#")
    return { value: value!.trim(), kind: comment!.trim().split(":")[0] }
  })

/** A deterministic shuffle, so that the file mixes every kind of entry. */
const shuffled = <A>(items: ReadonlyArray<A>, seed = 7): Array<A> => {
  const out = [...items]
  let s = seed
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31
    const j = s % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

layer(testGatewayLayer("sqlite"), { excludeTestServices: true, timeout: 300_000 })("leads remove-many against a real gateway", (it) => {
  it.effect("5,000 ids: exact summary by state, the gateway agrees, and running it again changes nothing", () =>
    Effect.gen(function*() {
      const gw = yield* TestGateway
      const org = gw.organizationId
      const campaigns = yield* CampaignRepository
      const leads = yield* LeadRepository
      const queue = yield* LeadQueue
      const sql = yield* SqlClient.SqlClient
      const idsOf = (campaignId: string) =>
        Effect.map(sql<{ id: LeadId }>`SELECT id FROM leads WHERE campaign_id = ${campaignId} ORDER BY seq`, (rows) => rows.map((r) => r.id))

      // A: 4,990 pending leads (paused, so that no claim touches them), 100 of them removed already.
      const a = yield* campaigns.create(org, draft("A"))
      yield* campaigns.update(org, a.id, { status: "paused" })
      yield* leads.addMany(org, a.id, Array.from({ length: 4990 }, (_, i) => ({ name: null, phone_number: phone(i), notes: {} })))
      const aIds = yield* idsOf(a.id)
      expect(aIds).toHaveLength(4990)
      const removedBefore = aIds.slice(0, 100)
      for (const id of removedBefore) yield* leads.remove(org, id, { api_key_id: gw.apiKeyId, reason: "an earlier opt-out" })

      // B: one lead, and the campaign cancelled: its removal is refused.
      const b = yield* campaigns.create(org, draft("B"))
      const bLead = yield* leads.add(org, b.id, { name: "B", phone_number: phone(9001), notes: {} })
      yield* campaigns.cancel(org, b.id)

      // C: a lead claimed by a worker, one in a call, one called, one pending.
      const c = yield* campaigns.create(org, draft("C", 3))
      for (let i = 0; i < 4; i++) yield* leads.add(org, c.id, { name: `C${i}`, phone_number: phone(9100 + i), notes: {} })
      const claims = yield* queue.claimDue({ worker_id: "test-worker", limit: 3, lease_ms: 600_000 })
      expect(claims.map((cl) => cl.campaign_id)).toEqual([c.id, c.id, c.id])
      yield* queue.startDial(claims[1]!, 600_000)
      const called = yield* queue.startDial(claims[2]!, 600_000)
      const now = new Date()
      yield* queue.finishCall(called, new CallOutcome({ status: "completed", end_reason: "user_disconnected", connected_at: now, ended_at: now, duration_seconds: 3 }))
      const cIds = yield* idsOf(c.id)

      // 50 ids that never were leads.
      const unknown = Array.from({ length: 50 }, () => unsafeMakeId.lead())

      const dir = tmpDir()
      const file = path.join(dir, "optout.txt")
      const entries = shuffled([...aIds, bLead.id, ...cIds, ...unknown])
      expect(entries.length).toBe(5045)
      fs.writeFileSync(file, ["lead_id", "# opt-outs of the week", ...entries, `${aIds[4000]}  # the same one twice`].join("\n") + "\n")

      // Through a proxy that only forwards, to see the requests: batches of 500, no lookups.
      const proxy = yield* startProxy(gw.baseUrl)
      const first = yield* leadq(["leads", "remove-many", "--file", file, "--json"], proxy.url)
      expect(first.stderr).toBe("")
      expect(first.code).toBe(0)
      const summary = summaryOf(first.stdout)
      expect(summary).toMatchObject({
        entries: 5045,
        duplicates: 1,
        removed: { total: 4894, pending: 4890 + 1, claimed: 1, in_call: 1, called: 1 },
        calls_in_progress: 1,
        already_removed: 100,
        not_found: 50,
        refused: 1,
        errors: 0,
        retries: 0,
        failures: 51,
        failures_file: `${file}.failures`,
        interrupted: false
      })
      const bulk = proxy.seen.filter((r) => r.method === "POST" && r.path === BULK)
      expect(proxy.seen.length - bulk.length).toBe(1) // the pre-flight check of the key
      expect(bulk.map((r) => namedIn(r.body).length)).toEqual([...Array.from({ length: 10 }, () => 500), 45])
      expect(new Set(bulk.flatMap((r) => namedIn(r.body)))).toEqual(new Set(entries))
      expect(bulk.every((r) => (JSON.parse(r.body) as { reason?: string }).reason === "leadq remove-many optout.txt")).toBe(true)
      const failures = failureLines(`${file}.failures`)
      expect(failures.filter((f) => f.kind === "not_found").map((f) => f.value).sort()).toEqual([...unknown].sort())
      expect(failures.filter((f) => f.kind === "refused").map((f) => f.value)).toEqual([bLead.id])

      // The gateway agrees: asked over HTTP, not through the CLI.
      const get = (p: string) =>
        Effect.promise(() => fetch(`${gw.baseUrl}${p}`, { headers: { authorization: `Bearer ${gw.apiKey}` } }).then(async (r) => ({ status: r.status, body: await r.json() as Record<string, unknown> })))
      expect((yield* get(`/v1/campaigns/${a.id}`)).body).toMatchObject({ total_leads: 4990, pending_leads: 0, removed_leads: 4990 })
      expect((yield* get(`/v1/campaigns/${c.id}`)).body).toMatchObject({ removed_leads: 4 })
      expect((yield* get(`/v1/campaigns-leads/${bLead.id}`)).body).toMatchObject({ status: "pending" })
      expect((yield* get(`/v1/campaigns-leads/${aIds[4321]}`)).status).toBe(404)
      // every removal this run made is audited with the state it was removed from
      const inCall = yield* leads.removalOf(org, claims[1]!.lead_id)
      expect(inCall._tag === "Some" && inCall.value.removed_from).toBe("in_call")
      const audited = yield* leads.removalOf(org, aIds[4321]!)
      expect(audited._tag === "Some" && audited.value.reason).toBe("leadq remove-many optout.txt")
      const earlier = yield* leads.removalOf(org, removedBefore[0]!)
      expect(earlier._tag === "Some" && earlier.value.reason).toBe("an earlier opt-out")

      // Again, with the same file: nothing more to remove, and nothing counted as a failure that is not one.
      const again = yield* leadq(["leads", "remove-many", "--file", file, "--json", "--concurrency", "32"])
      expect(again.code).toBe(0)
      expect(summaryOf(again.stdout)).toMatchObject({
        removed: { total: 0 },
        already_removed: 4990 + 4,
        not_found: 50,
        refused: 1,
        errors: 0
      })

      // The failures file fed back as it is: the same 51, nothing else.
      const fedBack = yield* leadq(["leads", "remove-many", "--file", `${file}.failures`, "--json"])
      expect(fedBack.code).toBe(0)
      expect(summaryOf(fedBack.stdout)).toMatchObject({ entries: 51, removed: { total: 0 }, not_found: 50, refused: 1, errors: 0 })
    }).pipe(Effect.scoped))

  it.effect("phone numbers of a campaign: every lead with the number, national numbers with --country-code, ids beside them", () =>
    Effect.gen(function*() {
      const gw = yield* TestGateway
      const org = gw.organizationId
      const campaigns = yield* CampaignRepository
      const leads = yield* LeadRepository
      const d = yield* campaigns.create(org, draft("D"))
      yield* campaigns.update(org, d.id, { status: "paused" })
      const twice1 = yield* leads.add(org, d.id, { name: "one", phone_number: "+14155550001" as E164, notes: {} })
      // Two live leads with one number exist only from before migration 0006 (a new one is
      // DuplicateLead): the second is made such a legacy duplicate, as the migration leaves them.
      const made = yield* leads.add(org, d.id, { name: "one again", phone_number: "+14155550008" as E164, notes: {} })
      yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql`UPDATE leads SET phone_number = '+14155550001', duplicate_slot = seq WHERE id = ${made.id}`)
      const twice2 = yield* leads.get(org, made.id)
      yield* leads.add(org, d.id, { name: "two", phone_number: "+14155550002" as E164, notes: {} })
      yield* leads.add(org, d.id, { name: "three", phone_number: "+14155550003" as E164, notes: {} })
      const four = yield* leads.add(org, d.id, { name: "four", phone_number: "+14155550004" as E164, notes: {} })
      yield* leads.remove(org, four.id, { api_key_id: gw.apiKeyId })
      const other = yield* leads.add(org, d.id, { name: "stays", phone_number: "+14155550009" as E164, notes: {} })
      const byId = yield* leads.add(org, d.id, { name: "by id", phone_number: "+14155550006" as E164, notes: {} })

      const dir = tmpDir()
      const file = path.join(dir, "numbers.csv")
      fs.writeFileSync(file, `phone_number,name\n+1 (415) 555-0001,one\n+14155550002,two\n${byId.id},by id\n415 555 0003,three\n+14155550004,four\n+14155550005,nobody\n`)

      const noCampaign = yield* leadq(["leads", "remove-many", "--file", file, "--country-code", "1"])
      expect(noCampaign.code).toBe(2)
      expect(noCampaign.stderr).toContain("--campaign")

      const proxy = yield* startProxy(gw.baseUrl)
      const run = yield* leadq(["leads", "remove-many", "--file", file, "--campaign", d.id, "--country-code", "1", "--json"], proxy.url)
      expect(run.code).toBe(0)
      // One request for the five numbers, with their campaign (no lookup per number), one for the id.
      expect(proxy.seen.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v1/campaigns/${d.id}`, `POST ${BULK}`, `POST ${BULK}`])
      const bodies = proxy.seen.slice(1).map((r) => JSON.parse(r.body) as Record<string, unknown>)
      expect(bodies.find((b) => "phone_numbers" in b)).toEqual({
        campaign_id: d.id,
        phone_numbers: ["+14155550001", "+14155550002", "+14155550003", "+14155550004", "+14155550005"],
        reason: "leadq remove-many numbers.csv"
      })
      expect(bodies.find((b) => "lead_ids" in b)).toEqual({ lead_ids: [byId.id], reason: "leadq remove-many numbers.csv" })
      expect(summaryOf(run.stdout)).toMatchObject({
        entries: 6,
        removed: { total: 5, pending: 5 },
        already_removed: 1,
        not_found: 1,
        errors: 0
      })
      expect(failureLines(`${file}.failures`)).toEqual([{ value: "+14155550005", kind: "not_found" }])
      for (const id of [twice1.id, twice2.id, byId.id]) expect((yield* Effect.either(leads.get(org, id)))._tag).toBe("Left")
      expect((yield* leads.get(org, other.id)).status).toBe("pending")
    }).pipe(Effect.scoped))

  it.effect("a file with unreadable lines is bad usage and removes nothing", () =>
    Effect.gen(function*() {
      const gw = yield* TestGateway
      const campaigns = yield* CampaignRepository
      const leads = yield* LeadRepository
      const e = yield* campaigns.create(gw.organizationId, draft("E"))
      const lead = yield* leads.add(gw.organizationId, e.id, { name: null, phone_number: "+14155550100" as E164, notes: {} })
      const file = path.join(tmpDir(), "bad.txt")
      fs.writeFileSync(file, `${lead.id}\nlead_tooshort\nhello world\n`)
      const r = yield* leadq(["leads", "remove-many", "--file", file])
      expect(r.code).toBe(2)
      expect(r.stderr).toContain("line 2")
      expect(r.stderr).toContain("line 3")
      expect((yield* leads.get(gw.organizationId, lead.id)).status).toBe("pending")
    }))

  it.effect("keeps going past failed batches: a 5xx is retried, a 400 is not, errors counted, exit 1, and the failures file finishes the job", () =>
    Effect.gen(function*() {
      const gw = yield* TestGateway
      const org = gw.organizationId
      const campaigns = yield* CampaignRepository
      const leads = yield* LeadRepository
      const { added, campaign: f } = yield* pausedWithLeads("F", 20, 9500)
      // Batches of 5: [0–4] [5–9] [10–14] [15–19]. The proxy fails every request naming lead 3
      // with a 500 (the gateway never sees it), and every one naming lead 17 with a 400.
      const failing = added[3]!.id
      const refused = added[17]!.id
      const proxy = yield* startProxy(gw.baseUrl, (request) => {
        if (request.path !== BULK) return Forward
        const named = namedIn(request.body)
        if (named.includes(failing)) return { _tag: "Answer", status: 500, body: envelope(500, "Internal Server Error", "InternalError", "Internal server error.") }
        if (named.includes(refused)) return { _tag: "Answer", status: 400, body: envelope(400, "Bad Request", "InvalidInput", ["lead_ids: a proxy says no"]) }
        return Forward
      })
      const attemptsNaming = (id: string) => proxy.seen.filter((r) => r.path === BULK && namedIn(r.body).includes(id)).length
      const broken = [...added.slice(0, 5), ...added.slice(15, 20)].map((l) => l.id)

      const file = path.join(tmpDir(), "f.txt")
      fs.writeFileSync(file, added.map((l) => l.id).join("\n"))
      const run = yield* leadq(["leads", "remove-many", "--file", file, "--json", "--batch-size", "5", "--concurrency", "2"], proxy.url)
      expect(run.code).toBe(1)
      expect(summaryOf(run.stdout)).toMatchObject({ removed: { total: 10 }, errors: 10, retries: 3, failures: 10 })
      expect(JSON.parse(run.stderr.trim())).toMatchObject({ error: { code: "RemoveManyIncomplete" } })
      // The 500 was sent 1 + 3 times (the client's retries), the 400 once: it is an answer, not an accident.
      expect(attemptsNaming(failing)).toBe(4)
      expect(attemptsNaming(refused)).toBe(1)
      const failures = failureLines(`${file}.failures`)
      expect(failures.map((l) => l.value).sort()).toEqual([...broken].sort())
      expect(failures.every((l) => l.kind === "error")).toBe(true)
      // Nothing of the failed batches was removed; everything else was.
      const campaign = yield* campaigns.get(org, f.id)
      expect(campaign.removed_leads).toBe(10)
      for (const id of broken) expect((yield* leads.get(org, id)).status).toBe("pending")

      // The same in people's words.
      const people = yield* leadq(["leads", "remove-many", "--file", `${file}.failures`, "--batch-size", "5"], proxy.url)
      expect(people.code).toBe(1)
      expect(people.stdout).toMatch(/errors\s+10/)
      expect(people.stdout).toContain(`10 entries not removed: listed in ${file}.failures.failures.`)
      expect(people.stderr).toContain("10 entries were not removed because of errors")

      // Fed back to the gateway itself, the failures file finishes the job.
      const fixed = yield* leadq(["leads", "remove-many", "--file", `${file}.failures`, "--json"])
      expect(fixed.code).toBe(0)
      expect(summaryOf(fixed.stdout)).toMatchObject({ removed: { total: 10 }, errors: 0, failures: 0 })
      expect((yield* campaigns.get(org, f.id)).removed_leads).toBe(20)
      // and the stale failures are not left behind to be fed back again
      expect(failureLines(`${file}.failures.failures`)).toEqual([])
    }).pipe(Effect.scoped))

  it.effect("a batch whose answer was lost is sent again: nothing removed twice, nothing counted as an error", () =>
    Effect.gen(function*() {
      const gw = yield* TestGateway
      const org = gw.organizationId
      const campaigns = yield* CampaignRepository
      const { added, campaign: h } = yield* pausedWithLeads("H", 12, 9700)
      // The first request naming lead 5 reaches the gateway, which removes its batch [4–7]; then
      // the connection is cut before the answer gets back.
      let cut = false
      const proxy = yield* startProxy(gw.baseUrl, (request) => {
        if (request.path === BULK && !cut && namedIn(request.body).includes(added[5]!.id)) {
          cut = true
          return { _tag: "LoseAnswer" }
        }
        return Forward
      })
      const file = path.join(tmpDir(), "h.txt")
      fs.writeFileSync(file, added.map((l) => l.id).join("\n"))
      const run = yield* leadq(["leads", "remove-many", "--file", file, "--json", "--batch-size", "4"], proxy.url)
      expect(run.code).toBe(0)
      expect(cut).toBe(true)
      // Sent again under its Idempotency-Key, the batch is answered with the first request's answer:
      // what that request removed is counted as removed, by this run, once.
      expect(summaryOf(run.stdout)).toMatchObject({ removed: { total: 12 }, already_removed: 0, errors: 0, retries: 1, failures: 0 })
      const bulk = proxy.seen.filter((r) => r.path === BULK)
      expect(bulk.length).toBe(4)
      const resent = bulk.filter((r) => namedIn(r.body).includes(added[5]!.id))
      expect(resent).toHaveLength(2)
      expect(resent[0]!.idempotencyKey).toBeDefined()
      expect(resent[1]!.idempotencyKey).toBe(resent[0]!.idempotencyKey)
      // one key per batch
      expect(new Set(bulk.map((r) => r.idempotencyKey)).size).toBe(3)
      expect((yield* campaigns.get(org, h.id)).removed_leads).toBe(12)
      // One removal, one audit record each: the repeat changed nothing.
      const sql = yield* SqlClient.SqlClient
      const audits = yield* sql<{ n: number }>`SELECT count(*) AS n FROM lead_removals WHERE campaign_id = ${h.id}`
      expect(Number(audits[0]!.n)).toBe(12)
    }).pipe(Effect.scoped))

  it.effect("a batch answered 503 with Retry-After is sent again after that wait, and counted once", () =>
    Effect.gen(function*() {
      const gw = yield* TestGateway
      const org = gw.organizationId
      const campaigns = yield* CampaignRepository
      const { added, campaign: r } = yield* pausedWithLeads("R", 6, 9800)
      // A load balancer turns the first bulk request away, asking for a second's patience.
      let turnedAway = false
      const proxy = yield* startProxy(gw.baseUrl, (request) => {
        if (request.path !== BULK || turnedAway) return Forward
        turnedAway = true
        return unavailableFor(1)
      })
      const file = path.join(tmpDir(), "r.txt")
      fs.writeFileSync(file, added.map((l) => l.id).join("\n"))
      const run = yield* leadq(["leads", "remove-many", "--file", file, "--json"], proxy.url)
      expect(run.code).toBe(0)
      expect(summaryOf(run.stdout)).toMatchObject({ removed: { total: 6 }, already_removed: 0, errors: 0, retries: 1, failures: 0 })
      const bulk = proxy.seen.filter((s) => s.path === BULK)
      expect(bulk).toHaveLength(2)
      // as the proxy saw them: the batch came back no sooner than it was asked to
      expect(bulk[1]!.at - bulk[0]!.at).toBeGreaterThanOrEqual(1000)
      expect((yield* campaigns.get(org, r.id)).removed_leads).toBe(6)
    }).pipe(Effect.scoped))

  it.effect("Ctrl-C: the summary so far, exit 130, and a failures file that finishes the job", () =>
    Effect.gen(function*() {
      const gw = yield* TestGateway
      const org = gw.organizationId
      const campaigns = yield* CampaignRepository
      const leads = yield* LeadRepository
      const sql = yield* SqlClient.SqlClient
      const g = yield* campaigns.create(org, draft("G"))
      yield* campaigns.update(org, g.id, { status: "paused" })
      yield* leads.addMany(org, g.id, Array.from({ length: 1000 }, (_, i) => ({ name: null, phone_number: phone(20_000 + i), notes: {} })))
      const ids = (yield* sql<{ id: string }>`SELECT id FROM leads WHERE campaign_id = ${g.id}`).map((r) => r.id)
      const file = path.join(tmpDir(), "long.txt")
      fs.writeFileSync(file, ids.join("\n"))

      // Answers come back 100 ms after the gateway gave them, so that the run lasts long enough to be
      // interrupted, and an interruption finds batches done on the gateway whose answers are not in.
      const proxy = yield* startProxy(gw.baseUrl, (request) => (request.path === BULK ? { _tag: "Delay", ms: 100 } : Forward))
      const run = yield* startCli(["leads", "remove-many", "--file", file, "--json", "--batch-size", "10", "--concurrency", "2"], {
        env: { LEADQ_URL: proxy.url, LEADQ_API_KEY: gw.apiKey }
      })
      const deadline = Date.now() + 60_000
      while ((yield* campaigns.get(org, g.id)).removed_leads < 100) {
        if (Date.now() > deadline) throw new Error("no removal seen")
        yield* Effect.sleep("20 millis")
      }
      run.child.kill("SIGINT")
      expect(yield* Effect.promise(() => run.exited)).toBe(130)
      const summary = summaryOf(run.state.stdout)
      expect(summary.interrupted).toBe(true)
      // 100 removed on the gateway: the answers of all but the (at most) 2 batches in flight are in.
      expect(summary.removed.total).toBeGreaterThanOrEqual(100 - 2 * 10)
      expect(summary.removed.total).toBeLessThan(1000)
      expect(summary.removed.total % 10).toBe(0)
      const left = failureLines(`${file}.failures`)
      expect(left.every((l) => l.kind === "not_attempted")).toBe(true)
      expect(left.length).toBe(1000 - summary.removed.total)

      // The failures file finishes the job; at most the batches cut in flight were removed unanswered.
      const rest = yield* leadq(["leads", "remove-many", "--file", `${file}.failures`, "--json"])
      expect(rest.code).toBe(0)
      const after = summaryOf(rest.stdout)
      expect(after.errors).toBe(0)
      expect(after.not_found).toBe(0)
      expect(after.already_removed).toBeLessThanOrEqual(2 * 10)
      expect(after.removed.total + after.already_removed).toBe(left.length)
      expect((yield* campaigns.get(org, g.id)).removed_leads).toBe(1000)
    }).pipe(Effect.scoped))
})
