import { Effect } from "effect"
import { makeRecorder } from "../Recorder.js"
import type { LeadqHttp } from "./LeadqHttp.js"
import { answerOf } from "./LeadqHttp.js"
import type { Prng } from "./Prng.js"

/**
 * Clients of the public API acting at random, for the race and for the crash runs of
 * `tools/chaos`: remove leads (some of them while they are being called), pause, resume, cancel
 * (one campaign, late) and add leads — and, with `suppressions`, suppress numbers, remove leads
 * with `?suppress=true` or in bulk by number with `suppress: true`, and lift suppressions. Every request is recorded with its answer; a
 * request that gets no answer (the gateway was killed, the database restarted) is recorded as
 * unknown.
 */
export interface Workload {
  readonly recorder: ReturnType<typeof makeRecorder>
  readonly campaignIds: Array<string>
  readonly leadIds: Array<string>
  readonly addLead: (campaignId: string) => Effect.Effect<unknown>
  /**
   * `campaigns` campaigns through the API (named `<run> <label> #<i>`, agent `agent_<run>`), then
   * `leadsPerCampaign` leads in each; dies if a campaign is not created.
   */
  readonly seed: (campaigns: number, leadsPerCampaign: number, run: string) => Effect.Effect<void>
  /** `clients` concurrent clients for `opsMs`; the campaign cancelled late in the run is the first. */
  readonly run: (clients: number, opsMs: number) => Effect.Effect<void>
  /** Resume every paused campaign (so the run can drain), recorded like any other request. */
  readonly resumeAll: Effect.Effect<void>
}

export interface WorkloadOptions {
  /**
   * Suppressions raining down (check 9): the i-th lead of every seeded campaign gets the same
   * number, so one number is a lead in every campaign of the organization, and the clients also
   * suppress numbers (some of them while one of their leads is being called), remove leads with
   * `?suppress=true` and lift suppressions now and then. The organization is the callers'.
   */
  readonly suppressions?: { readonly organizationId: string } | undefined
}

const sleep = (ms: number) => Effect.promise(() => new Promise((r) => setTimeout(r, ms)))

/** `label` names the run in the leads' names; `phoneBase` keeps its numbers apart from another run's. */
export const makeWorkload = (http: LeadqHttp, rng: Prng, label: string, phoneBase = 3_000_000, options: WorkloadOptions = {}): Workload => {
  const recorder = makeRecorder()
  const campaignIds: Array<string> = []
  const leadIds: Array<string> = []
  /** Each lead's number (the race never changes one), for a removal with `?suppress=true`. */
  const phoneOf = new Map<string, string>()
  /** Every number given to a lead so far: what suppressions and shared adds pick from. */
  const numbers: Array<string> = []
  const suppressed = new Set<string>()
  const shared = options.suppressions !== undefined
  const org = options.suppressions?.organizationId
  let phoneSeq = 0
  const newNumber = () => {
    const phone = `+1415${String(phoneBase + phoneSeq++)}`
    numbers.push(phone)
    return phone
  }

  /** `phone`: a number some lead has already (shared numbers); a new one otherwise. */
  const addLead = (campaignId: string, phone?: string) => {
    const notes = {
      sim_outcome: rng.weighted([["completed", 60], ["no_answer", 15], ["busy", 15], ["failed", 10]] as const),
      sim_duration_ms: rng.int(100, 1500)
    }
    // With shared numbers, half the adds reuse a number: a duplicate in its campaign (409
    // DuplicateLead) or a suppressed one (409 NumberSuppressed) is refused, and recorded as such.
    const number = phone ?? (shared && numbers.length > 0 && rng.next() < 0.5 ? rng.pick(numbers) : newNumber())
    return recorder.record(
      "add",
      campaignId,
      Effect.map(http.request("POST", "/v1/campaigns-leads", { campaignId, phoneNumber: number, name: `Lead ${label} ${number}`, notes }), (a) => {
        const answer = answerOf(a)
        if (answer.outcome !== "ok") return answer
        const lead = a.body as { id: string; scheduled_at: string }
        leadIds.push(lead.id)
        phoneOf.set(lead.id, number)
        return { ...answer, lead_id: lead.id, scheduled_at: Date.parse(lead.scheduled_at) }
      })
    )
  }

  const seed = (campaigns: number, leadsPerCampaign: number, run: string) =>
    Effect.gen(function*() {
      for (let i = 0; i < campaigns; i++) {
        const created = yield* http.request("POST", "/v1/campaigns", {
          name: `${run} ${label} #${i}`,
          agent_id: `agent_${run}`,
          from_phone_number: "+14155550100",
          max_concurrent_calls: rng.int(2, 4),
          retry_config: { max_retries: rng.int(0, 1), retry_interval_minutes: 1 }
        }).pipe(Effect.orDie)
        if (created.status !== 201) return yield* Effect.dieMessage(`campaign not created: ${created.status} ${JSON.stringify(created.body)}`)
        campaignIds.push((created.body as { id: string }).id)
      }
      const seeded = Array.from({ length: leadsPerCampaign }, () => newNumber())
      for (const c of campaignIds) {
        for (let j = 0; j < leadsPerCampaign; j++) yield* addLead(c, shared ? seeded[j]! : newNumber())
      }
    })

  /** Suppress a number (POST /v1/suppressions), recorded with what it suppresses. */
  const suppress = (phone: string) =>
    recorder.record(
      "suppress",
      phone,
      Effect.map(http.request("POST", "/v1/suppressions", { phone_number: phone, reason: `race ${label}` }), (a) => {
        const answer = answerOf(a)
        if (answer.outcome === "ok") suppressed.add(phone)
        return answer
      }),
      { organization_id: org, suppresses: [phone] }
    )

  const suppressionOp = (kind: "suppress" | "suppress_calling" | "delete_suppress" | "bulk_suppress" | "lift") => {
    switch (kind) {
      case "bulk_suppress": {
        // A bulk removal by numbers with `suppress: true`: the numbers the answer says it
        // suppressed (every number named, whether a lead of the campaign had it or not).
        const c = rng.pick(campaignIds)
        const phones = [...new Set(Array.from({ length: rng.int(1, 3) }, () => rng.pick(numbers)))]
        return recorder.record(
          "bulk_remove",
          c,
          Effect.map(
            http.request("POST", "/v1/campaigns-leads/bulk-remove", { campaign_id: c, phone_numbers: phones, suppress: true }),
            (a) => {
              const answer = answerOf(a)
              if (answer.outcome !== "ok") return answer
              const items = (a.body as { results?: Array<{ input: string; suppressed?: boolean }> }).results ?? []
              const done = [...new Set(items.filter((i) => i.suppressed === true).map((i) => i.input))]
              for (const p of done) suppressed.add(p)
              return { ...answer, suppresses: done }
            }
          ),
          { organization_id: org }
        )
      }
      case "suppress":
        return suppress(rng.pick(numbers))
      case "suppress_calling": {
        // The number of a lead being called right now: its leads in the other campaigns are due,
        // claimed, or waiting for a retry — the suppression races the worker's pre-dial re-check.
        const c = rng.pick(campaignIds)
        return Effect.flatMap(
          Effect.orElseSucceed(http.request("GET", `/v1/campaigns-leads?campaign_id=${c}&status=in_progress&limit=100`), () => undefined),
          (listed) => {
            const calling = ((listed?.body as { data?: Array<{ phone_number: string }> } | undefined)?.data ?? []).map((l) => l.phone_number)
            return calling.length === 0 ? Effect.void : suppress(rng.pick(calling))
          }
        )
      }
      case "delete_suppress": {
        const id = rng.pick(leadIds)
        const phone = phoneOf.get(id)!
        return recorder.record(
          "delete",
          id,
          Effect.map(http.request("DELETE", `/v1/campaigns-leads/${id}?suppress=true`), (a) => {
            const answer = answerOf(a)
            if (answer.outcome === "ok") suppressed.add(phone)
            return answer
          }),
          { organization_id: org, suppresses: [phone] }
        )
      }
      case "lift": {
        if (suppressed.size === 0) return Effect.void
        const phone = rng.pick([...suppressed])
        return recorder.record(
          "lift",
          phone,
          Effect.map(http.request("DELETE", `/v1/suppressions/${encodeURIComponent(phone)}`), (a) => {
            const answer = answerOf(a)
            if (answer.outcome === "ok") suppressed.delete(phone)
            return answer
          }),
          { organization_id: org }
        )
      }
    }
  }

  const run = (clients: number, opsMs: number) =>
    Effect.gen(function*() {
      const start = Date.now()
      const cancelTarget = campaignIds[0]!
      const randomOp = Effect.suspend(() => {
        const kind = rng.weighted([
          ["delete", 20],
          ["delete_calling", 10],
          ["pause", 10],
          ["resume", 12],
          ["cancel", 2],
          ["add", 10],
          ...(shared ? [["suppress", 3], ["suppress_calling", 4], ["delete_suppress", 3], ["bulk_suppress", 1], ["lift", 2]] as const : [])
        ] as const)
        switch (kind) {
          case "suppress":
          case "suppress_calling":
          case "delete_suppress":
          case "bulk_suppress":
          case "lift":
            return suppressionOp(kind)
          case "delete_calling": {
            // Look for a lead being called right now and remove it: the removal races the
            // worker's re-check, its call and its finish.
            const c = rng.pick(campaignIds)
            return Effect.flatMap(
              Effect.orElseSucceed(http.request("GET", `/v1/campaigns-leads?campaign_id=${c}&status=in_progress&limit=100`), () => undefined),
              (listed) => {
                const calling = ((listed?.body as { data?: Array<{ id: string }> } | undefined)?.data ?? []).map((l) => l.id)
                if (calling.length === 0) return Effect.void
                const id = rng.pick(calling)
                return recorder.record("delete", id, Effect.map(http.request("DELETE", `/v1/campaigns-leads/${id}`), answerOf))
              }
            )
          }
          case "delete": {
            const id = rng.pick(leadIds)
            return recorder.record("delete", id, Effect.map(http.request("DELETE", `/v1/campaigns-leads/${id}`), answerOf))
          }
          case "pause":
          case "resume": {
            const c = rng.pick(campaignIds)
            return recorder.record(
              kind,
              c,
              Effect.map(http.request("PATCH", `/v1/campaigns/${c}`, { status: kind === "pause" ? "paused" : "running" }), answerOf)
            )
          }
          case "cancel":
            if (Date.now() - start < opsMs * 0.5) return Effect.void
            return recorder.record("cancel", cancelTarget, Effect.map(http.request("POST", `/v1/campaigns/${cancelTarget}/cancel`), answerOf))
          case "add":
            return addLead(rng.pick(campaignIds))
        }
      })
      const client = Effect.gen(function*() {
        while (Date.now() - start < opsMs) {
          yield* sleep(rng.int(20, 150))
          yield* randomOp
        }
      })
      yield* Effect.all(Array.from({ length: clients }, () => client), { concurrency: "unbounded" })
    })

  const resumeAll = Effect.gen(function*() {
    for (const c of campaignIds) {
      const got = yield* Effect.either(http.request("GET", `/v1/campaigns/${c}`))
      if (got._tag === "Left" || (got.right.body as { status?: string }).status !== "paused") continue
      yield* recorder.record("resume", c, Effect.map(http.request("PATCH", `/v1/campaigns/${c}`, { status: "running" }), answerOf))
    }
  })

  return { recorder, campaignIds, leadIds, addLead, seed, run, resumeAll }
}
