import * as SqlClient from "@effect/sql/SqlClient"
import type {
  AddManyResult,
  ApiKeyId,
  BulkRemovalTarget,
  E164,
  LeadDraft,
  LeadId,
  LeadPatch,
  LeadQuery,
  OrganizationId,
  PendingEvent,
  RemovalRequest,
  RemovedFrom
} from "@leadq/domain"
import {
  BulkRemoval,
  BulkRemovalItem,
  CampaignId,
  CampaignLifecycle,
  CampaignNotFound,
  CampaignStatus,
  type CampaignTerminal,
  DuplicateLead,
  isTimeZone,
  LeadLifecycle,
  LeadNotFound,
  LeadRemoval,
  LeadRepository,
  NumberSuppressed,
  pageMeta,
  pageOffset,
  REMOVAL_MESSAGE,
  slotFor,
  statesOfStatus,
  unsafeMakeId
} from "@leadq/domain"
import { Clock, Effect, Either, Layer, Option, Schema } from "effect"
import { completeDrained, completeIfDrained, openLeadsExist } from "./Counters.js"
import { GroupCommit } from "./GroupCommit.js"
import { QueueWakeups } from "./QueueWakeups.js"
import { makeRemovalStatement } from "./RemovalStatement.js"
import { CountRow, EpochMsColumn, LeadRow, RemovalRecordRow, toLead, toSnapshot } from "./Rows.js"
import { LiveNumbers } from "./LiveNumbers.js"
import { appendEvents } from "./Outbox.js"
import { findAll, findOne, makeLocks, num, orDieOnSql, single } from "./Sql.js"
import { activeSuppressions, upsertSuppressions } from "./Suppressions.js"
import type { TrustedCampaignRow, TrustedLeadRow } from "./TrustedRows.js"
import { retryConfigOf } from "./TrustedRows.js"

/** The zone a lead is called in when it names its own (`notes.timezone`); else the window's. */
const ownTimeZone = (notes: Readonly<Record<string, unknown>>): string | null =>
  typeof notes["timezone"] === "string" && isTimeZone(notes["timezone"]) ? notes["timezone"] : null

/** What the removal reads: a trusted row (`TrustedRows.ts`), the removal is the gateway's measured hot path. */
type RemovalRow =
  & Pick<
    TrustedLeadRow,
    "id" | "campaign_id" | "phone_number" | "state" | "outcome" | "attempts" | "scheduled_at" | "claim_id" | "dialled" | "lease_expires_at" | "removed_from"
  >
  & Pick<TrustedCampaignRow, "max_retries" | "retry_interval_minutes">
  & { readonly campaign_status: CampaignStatus }

/** The campaign a lead is added to. */
const OpenCampaignRow = Schema.Struct({ id: CampaignId, status: CampaignStatus, scheduled_at: EpochMsColumn })

/** A lead with its campaign's status, for a correction. */
const LeadWithCampaignRow = Schema.Struct({ ...LeadRow.fields, campaign_status: CampaignStatus })

export const makeLeadRepository = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const wakeups = yield* QueueWakeups
  const groupCommit = yield* GroupCommit
  const locks = makeLocks(sql)
  const liveNumbers = LiveNumbers(sql)
  const fastRemoval = makeRemovalStatement(sql)
  /**
   * Whether the campaign has other leads still open, read in the removal's own transaction. On
   * SQLite transactions run one at a time, so the answer is exact and saves the hot path a
   * statement. On PostgreSQL two removals of a campaign's last two leads could each see the
   * other still open, so there the question is asked again after the commit (`null` here).
   */
  const othersOpen = sql.onDialectOrElse({
    sqlite: () => sql`CASE WHEN ${openLeadsExist(sql, sql.literal("l.campaign_id"), sql`AND o.id <> l.id`)} THEN 1 ELSE 0 END`,
    orElse: () => sql`NULL`
  })

  /** The campaign, held shared while leads are inserted, so that a cancel or a completion waits. */
  const openCampaign = (org: OrganizationId, campaignId: string) =>
    Effect.gen(function*() {
      const found = yield* findOne(
        OpenCampaignRow,
        sql`SELECT id, status, scheduled_at FROM campaigns
          WHERE id = ${campaignId} AND organization_id = ${org} ${locks.forShare}`
      )
      if (Option.isNone(found)) return yield* Effect.fail(CampaignNotFound.of(campaignId))
      yield* CampaignLifecycle.ensureAcceptsLeads(found.value)
      return found.value
    })

  const rowsOf = (org: OrganizationId, campaign: typeof OpenCampaignRow.Type, drafts: ReadonlyArray<LeadDraft>, now: number) => {
    const scheduled_at = slotFor(campaign.scheduled_at, now)
    return drafts.map((d) => ({
      id: unsafeMakeId.lead(),
      organization_id: org,
      campaign_id: campaign.id,
      name: d.name ?? null,
      phone_number: d.phone_number,
      notes: JSON.stringify(d.notes),
      timezone: ownTimeZone(d.notes),
      state: "pending",
      attempts: 0,
      scheduled_at,
      dialled: 0,
      created_at: now,
      updated_at: now
    }))
  }

  const findLead = (org: OrganizationId, id: string) =>
    Effect.flatMap(
      findOne(LeadRow, sql`SELECT * FROM leads WHERE id = ${id} AND organization_id = ${org} AND state <> 'removed'`),
      Option.match({ onNone: () => Effect.fail(LeadNotFound.of(id)), onSome: Effect.succeed })
    )

  const get = Effect.fn("leadq/LeadRepository.get")(function*(org: OrganizationId, id: string) {
    return toLead(yield* findLead(org, id))
  }, orDieOnSql)

  const add = Effect.fn("leadq/LeadRepository.add")(function*(org: OrganizationId, campaignId: string, draft: LeadDraft) {
    // A lost race whose winner was removed before it could be named: the number is free again.
    for (let tries = 1;; tries++) {
      const now = yield* Clock.currentTimeMillis
      const result = yield* sql.withTransaction(
        Effect.gen(function*() {
          const campaign = yield* openCampaign(org, campaignId)
          // Suppression first: it is about the person, whichever campaign holds the number. Refused
          // here for a clear answer; one suppressed after this commit is still never dialled (the
          // dial re-check, docs/design.md §3).
          const suppressed = yield* activeSuppressions(sql, [org], [draft.phone_number], now)
          if (suppressed.size > 0) return yield* Effect.fail(NumberSuppressed.of(draft.phone_number))
          return yield* liveNumbers.insert(campaign.id, [draft], (chunk) => rowsOf(org, campaign, chunk, now))
        })
      )
      const [skipped] = result.skipped
      if (skipped === undefined) {
        yield* wakeups.notify
        return yield* Effect.orDie(get(org, result.first!))
      }
      if (skipped.lead_id !== null) return yield* Effect.fail(DuplicateLead.of(skipped.lead_id, campaignId, draft.phone_number))
      if (tries >= 3) return yield* Effect.dieMessage(`the number of a lead kept changing hands in campaign ${campaignId}`)
    }
  }, orDieOnSql)

  const addMany = Effect.fn("leadq/LeadRepository.addMany")(function*(
    org: OrganizationId,
    campaignId: string,
    drafts: ReadonlyArray<LeadDraft>
  ) {
    const now = yield* Clock.currentTimeMillis
    const result: AddManyResult = yield* sql.withTransaction(
      Effect.gen(function*() {
        const campaign = yield* openCampaign(org, campaignId)
        return yield* liveNumbers.insert(campaign.id, drafts, (chunk) => rowsOf(org, campaign, chunk, now))
      })
    )
    if (result.created > 0) yield* wakeups.notify
    return { created: result.created, skipped: result.skipped }
  }, orDieOnSql)

  const list = Effect.fn("leadq/LeadRepository.list")(function*(org: OrganizationId, query: LeadQuery) {
    const status = query.status ? statesOfStatus(query.status) : undefined
    const where = sql.and([
      sql`organization_id = ${org}`,
      ...(query.campaign_id !== undefined ? [sql`campaign_id = ${query.campaign_id}`] : []),
      ...(status ? [sql`state = ${status.state}`] : [sql`state <> 'removed'`]),
      ...(status?.outcome ? [sql`outcome = ${status.outcome}`] : []),
      ...(query.phone_number !== undefined ? [sql`phone_number = ${query.phone_number}`] : [])
    ])
    const count = yield* single(CountRow, sql`SELECT count(*) AS n FROM leads WHERE ${where}`)
    const rows = yield* findAll(LeadRow, sql`SELECT * FROM leads WHERE ${where} ORDER BY seq LIMIT ${query.limit} OFFSET ${pageOffset(query)}`)
    return { data: rows.map(toLead), meta: pageMeta(query, count.n) }
  }, orDieOnSql)

  const updateOnce = (org: OrganizationId, id: string, patch: LeadPatch, now: number) =>
    sql.withTransaction(
      Effect.gen(function*() {
        const found = yield* findOne(
          LeadWithCampaignRow,
          sql`SELECT l.*, c.status AS campaign_status FROM leads l JOIN campaigns c ON c.id = l.campaign_id
            WHERE l.id = ${id} AND l.organization_id = ${org} ${locks.forUpdateOfLeads}`
        )
        if (Option.isNone(found)) return yield* Effect.fail(LeadNotFound.of(id))
        const row = found.value
        yield* LeadLifecycle.ensureEditable(toSnapshot(row))
        yield* CampaignLifecycle.ensureAcceptsLeads({ id: row.campaign_id, status: row.campaign_status })
        const set: Record<string, unknown> = { updated_at: now }
        if (patch.name !== undefined) set.name = patch.name
        if (patch.phone_number !== undefined && patch.phone_number !== row.phone_number) {
          // Refused like an add (suppression first): a correction must not bring back a number
          // the person asked never to be called on. One suppressed after this commit is still
          // never dialled (the dial re-check, docs/design.md §3).
          const suppressed = yield* activeSuppressions(sql, [org], [patch.phone_number], now)
          if (suppressed.size > 0) return yield* Effect.fail(NumberSuppressed.of(patch.phone_number))
          const held = yield* liveNumbers.holderOf(row.campaign_id, patch.phone_number)
          if (held !== undefined) return yield* Effect.fail(DuplicateLead.of(held, row.campaign_id, patch.phone_number))
          set.phone_number = patch.phone_number
          // A new number is held like any new lead's (migration 0006).
          set.duplicate_slot = 0
        }
        if (patch.notes !== undefined) {
          set.notes = JSON.stringify(patch.notes)
          set.timezone = ownTimeZone(patch.notes)
        }
        const changed = yield* sql`UPDATE leads SET ${sql.update(set)}
          WHERE id = ${row.id} AND state = 'pending' AND claim_id IS NULL RETURNING id`
        if (changed.length !== 1) return yield* Effect.dieMessage(`lead ${id} changed under its lock`)
        return row.campaign_id
      })
    )

  const update = Effect.fn("leadq/LeadRepository.update")(function*(org: OrganizationId, id: string, patch: LeadPatch) {
    for (let tries = 1;; tries++) {
      const now = yield* Clock.currentTimeMillis
      const outcome = yield* updateOnce(org, id, patch, now).pipe(
        Effect.map(() => true),
        // PostgreSQL: another transaction gave the number to a lead between the check and the
        // UPDATE; the index refused ours. That lead is committed now: name it.
        Effect.catchIf(liveNumbers.isTaken, () =>
          Effect.gen(function*() {
            const lead = yield* findLead(org, id)
            const held = yield* liveNumbers.holderOf(lead.campaign_id, patch.phone_number!)
            if (held !== undefined) return yield* Effect.fail(DuplicateLead.of(held, lead.campaign_id, patch.phone_number!))
            if (tries >= 3) return yield* Effect.dieMessage(`the number of a lead kept changing hands in campaign ${lead.campaign_id}`)
            return false
          }))
      )
      if (outcome) return yield* get(org, id)
    }
  }, orDieOnSql)

  /** The columns the removal rule reads (the hot path: no notes, no names). */
  const removalColumns = sql`l.id, l.campaign_id, l.phone_number, l.state, l.outcome, l.attempts, l.scheduled_at,
    l.claim_id, l.dialled, l.lease_expires_at, l.removed_from, c.status AS campaign_status, c.max_retries,
    c.retry_interval_minutes`

  /** The removal's reason is the suppression's; it never expires. */
  const suppressNumbers = (org: OrganizationId, phones: ReadonlyArray<string>, request: RemovalRequest, now: number) =>
    upsertSuppressions(
      sql,
      org,
      phones.map((phone_number) => ({ phone_number: phone_number as E164, reason: request.reason ?? null, expires_at: null })),
      request.api_key_id,
      now
    )

  /** The `lead.removed` event of a removal this transaction made (docs/webhooks.md). */
  const removedEvent = (
    org: OrganizationId,
    row: RemovalRow,
    removal: { readonly removed_from: RemovedFrom; readonly call_in_progress: boolean },
    request: RemovalRequest,
    at: string
  ): PendingEvent => ({
    organization_id: org,
    type: "lead.removed",
    data: {
      lead_id: row.id,
      campaign_id: row.campaign_id,
      phone_number: row.phone_number,
      removed_from: removal.removed_from,
      call_in_progress: removal.call_in_progress,
      reason: request.reason ?? null,
      api_key_id: request.api_key_id,
      removed_at: at
    }
  })

  /** The `lead.suppressed` event of a number a removal with `suppress` put on the list. */
  const suppressedEvent = (
    org: OrganizationId,
    phone: string,
    lead: { readonly lead_id: string | null; readonly campaign_id: string | null },
    request: RemovalRequest,
    at: string
  ): PendingEvent => ({
    organization_id: org,
    type: "lead.suppressed",
    data: {
      phone_number: phone,
      reason: request.reason ?? null,
      expires_at: null,
      api_key_id: request.api_key_id as ApiKeyId,
      ...lead,
      suppressed_at: at
    }
  })

  /** The events of a single removal: `lead.removed`, and `lead.suppressed` with `suppress`. */
  const removalEvents = (
    org: OrganizationId,
    row: RemovalRow,
    removal: { readonly removed_from: RemovedFrom; readonly call_in_progress: boolean },
    request: RemovalRequest,
    now: number
  ): Array<PendingEvent> => {
    const at = new Date(now).toISOString()
    const removed = removedEvent(org, row, removal, request, at)
    if (request.suppress !== true) return [removed]
    return [removed, suppressedEvent(org, row.phone_number, { lead_id: row.id, campaign_id: row.campaign_id }, request, at)]
  }

  /**
   * The events of a bulk removal, from its answer: a `lead.removed` per lead removed (none for an
   * entry not found, refused or already removed), then a `lead.suppressed` per number suppressed,
   * naming the first lead of the request that had it.
   */
  const bulkRemovalEvents = (
    org: OrganizationId,
    target: BulkRemovalTarget,
    rows: ReadonlyArray<RemovalRow>,
    out: ReadonlyArray<BulkRemovalItem>,
    suppressedNumbers: ReadonlyArray<string>,
    request: RemovalRequest,
    now: number
  ): Array<PendingEvent> => {
    const at = new Date(now).toISOString()
    const byId = new Map(rows.map((r) => [r.id as string, r]))
    const events: Array<PendingEvent> = []
    for (const item of out) {
      if (item.outcome !== "removed" || item.lead_id === null || item.removed_from === null) continue
      events.push(removedEvent(org, byId.get(item.lead_id)!, { removed_from: item.removed_from, call_in_progress: item.call_in_progress }, request, at))
    }
    const leadOf = new Map<string, RemovalRow>()
    for (const row of rows) if (!leadOf.has(row.phone_number)) leadOf.set(row.phone_number, row)
    for (const phone of suppressedNumbers) {
      const lead = leadOf.get(phone)
      events.push(suppressedEvent(
        org,
        phone,
        lead !== undefined
          ? { lead_id: lead.id, campaign_id: lead.campaign_id }
          : { lead_id: null, campaign_id: target._tag === "PhoneNumbers" ? target.campaign_id : null },
        request,
        at
      ))
    }
    return events
  }

  /**
   * docs/design.md §3 on one row read under its lock: the domain's rule decides, then a
   * compare-and-set on what was read (the row count is the answer) and the audit record.
   */
  const removeLocked = (org: OrganizationId, row: RemovalRow, request: RemovalRequest, now: number) =>
    Effect.gen(function*() {
      const before = toSnapshot(row)
      const removal = yield* LeadLifecycle.remove(before, { id: row.campaign_id, status: row.campaign_status, retry_config: retryConfigOf(row) })
      const changed = yield* sql`UPDATE leads SET
          state = 'removed', removed_from = ${removal.removed_from}, removed_at = ${now},
          claim_id = ${removal.lead.claim_id}, dialled = ${removal.lead.dialled ? 1 : 0},
          ${removal.lead.claim_id === null ? sql`worker_id = NULL,` : sql``}
          lease_expires_at = ${removal.lead.lease_expires_at}, updated_at = ${now}
        WHERE id = ${row.id} AND state = ${before.state}
          AND ${before.claim_id === null ? sql`claim_id IS NULL` : sql`claim_id = ${before.claim_id}`}
          AND dialled = ${row.dialled}
        RETURNING id`
      if (changed.length !== 1) return yield* Effect.dieMessage(`lead ${row.id} changed under its lock`)
      yield* sql`INSERT INTO lead_removals ${
        sql.insert({
          id: unsafeMakeId.removal(),
          organization_id: org,
          lead_id: row.id,
          campaign_id: row.campaign_id,
          api_key_id: request.api_key_id,
          removed_from: removal.removed_from,
          attempt: before.attempts,
          reason: request.reason ?? null,
          removed_at: now
        })
      }`
      return removal
    })

  /**
   * The full rule (docs/design.md §3) on the row read under its lock: a removal with `suppress`
   * (two changes in one transaction), and the answer for a lead the fast path did not take.
   */
  const removeByRule = (org: OrganizationId, id: string, request: RemovalRequest, now: number) =>
    groupCommit.transaction(
      Effect.gen(function*() {
        const [row] = yield* sql<RemovalRow & { others_open: number | null }>`
          SELECT ${removalColumns}, ${othersOpen} AS others_open
          FROM leads l JOIN campaigns c ON c.id = l.campaign_id
          WHERE l.id = ${id} AND l.organization_id = ${org} ${locks.forUpdateOfLeads}`
        if (row === undefined) return yield* Effect.fail(LeadNotFound.of(id))
        const removal = yield* removeLocked(org, row, request, now)
        // `suppress=true`: the number is suppressed in this same transaction (both or neither).
        if (request.suppress === true) yield* suppressNumbers(org, [row.phone_number], request, now)
        // The outbox, last and in one statement: the removal's events commit with it (docs/design.md §3).
        yield* appendEvents(sql, removalEvents(org, row, removal, request, now), now)
        return { removed_from: removal.removed_from, campaign_id: row.campaign_id, others_open: row.others_open }
      })
    )

  /**
   * The common removal in one statement (`RemovalStatement.ts`). On SQLite it shares the group's
   * transaction without a savepoint: it writes nothing unless its UPDATE admitted the lead, and
   * nothing after that can be refused.
   */
  const removeFast = (org: OrganizationId, id: string, request: RemovalRequest, now: number) =>
    sql.onDialectOrElse({
      pg: () => fastRemoval.run(org, id, request, now),
      orElse: () => groupCommit.transaction(fastRemoval.run(org, id, request, now), { savepoint: false })
    })

  // Untraced: the removal is the hot path, and a traced function captures a stack trace per call.
  const remove = Effect.fnUntraced(function*(org: OrganizationId, id: string, request: RemovalRequest) {
    const now = yield* Clock.currentTimeMillis
    const fast = request.suppress === true ? undefined : yield* removeFast(org, id, request, now)
    const result = fast ?? (yield* removeByRule(org, id, request, now))
    if (result.removed_from !== "in_call") {
      if (result.others_open === null) yield* completeDrained(sql, [result.campaign_id], now)
      else if (num(result.others_open) === 0) yield* completeIfDrained(sql, result.campaign_id, now)
    }
    // Built from values the rule produced: no need to validate them again.
    return new LeadRemoval({
      message: REMOVAL_MESSAGE,
      lead_id: id as LeadId,
      removed_from: result.removed_from,
      call_in_progress: result.removed_from === "in_call",
      ...(request.suppress === true ? { suppressed: true } : {})
    }, true)
  }, orDieOnSql)

  const removeMany = Effect.fn("leadq/LeadRepository.removeMany")(function*(
    org: OrganizationId,
    target: BulkRemovalTarget,
    request: RemovalRequest
  ) {
    const now = yield* Clock.currentTimeMillis
    if (target._tag === "PhoneNumbers") {
      const found = yield* sql`SELECT id FROM campaigns WHERE id = ${target.campaign_id} AND organization_id = ${org}`
      if (found.length === 0) return yield* Effect.fail(CampaignNotFound.of(target.campaign_id))
    }
    const inputs = target._tag === "LeadIds" ? target.lead_ids : target.phone_numbers
    const items = yield* groupCommit.transaction(
      Effect.gen(function*() {
        const distinct = [...new Set(inputs)]
        // Locked in id order, so two bulk removals over the same leads cannot deadlock.
        const rows = distinct.length === 0 ? [] : yield* sql<RemovalRow & { readonly seq: number }>`
          SELECT ${removalColumns}, l.seq FROM leads l JOIN campaigns c ON c.id = l.campaign_id
          WHERE l.organization_id = ${org} AND ${
          target._tag === "LeadIds"
            ? sql.in("l.id", distinct)
            : sql`l.campaign_id = ${target.campaign_id} AND ${sql.in("l.phone_number", distinct)}`
        }
          ORDER BY l.id ${locks.forUpdateOfLeads}`
        const byInput = new Map<string, Array<RemovalRow>>()
        // A number's leads are answered in enqueue order.
        for (const row of [...rows].sort((x, y) => num(x.seq) - num(y.seq))) {
          const key = target._tag === "LeadIds" ? row.id : row.phone_number
          byInput.set(key, [...(byInput.get(key) ?? []), row])
        }
        const handled = new Set<string>()
        const out: Array<BulkRemovalItem> = []
        // With `suppress`, each entry says whether its number was suppressed (a named number always is).
        const flag = (suppressed: boolean) => request.suppress === true ? { suppressed } : {}
        for (const input of inputs) {
          const matches = byInput.get(input) ?? []
          if (matches.length === 0) {
            out.push(
              new BulkRemovalItem({
                input,
                lead_id: null,
                outcome: "not_found",
                removed_from: null,
                call_in_progress: false,
                ...flag(target._tag === "PhoneNumbers")
              }, true)
            )
            continue
          }
          for (const row of matches) {
            // The same lead named twice (or a number repeated): the second time it is already removed.
            const removal = handled.has(row.id) || row.state === "removed"
              ? Either.left<LeadNotFound | CampaignTerminal>(LeadNotFound.of(row.id))
              : yield* Effect.either(removeLocked(org, row, request, now))
            handled.add(row.id)
            out.push(
              Either.match(removal, {
                onLeft: (e) =>
                  new BulkRemovalItem({
                    input,
                    lead_id: row.id,
                    outcome: e._tag === "CampaignTerminal" ? "refused" : "already_removed",
                    removed_from: null,
                    call_in_progress: false,
                    ...flag(true)
                  }, true),
                onRight: (r) =>
                  new BulkRemovalItem({
                    input,
                    lead_id: row.id,
                    outcome: "removed",
                    removed_from: r.removed_from,
                    call_in_progress: r.call_in_progress,
                    ...flag(true)
                  }, true)
              })
            )
          }
        }
        // `suppress: true`: the numbers named, or those of the leads named, in this same transaction.
        const suppressedNumbers = request.suppress === true
          ? target._tag === "PhoneNumbers" ? distinct : [...new Set(rows.map((r) => r.phone_number))]
          : []
        if (suppressedNumbers.length > 0) yield* suppressNumbers(org, suppressedNumbers, request, now)
        // The outbox, last and in one statement (docs/design.md §3).
        yield* appendEvents(sql, bulkRemovalEvents(org, target, rows, out, suppressedNumbers, request, now), now)
        return { out, campaigns: rows.map((r) => r.campaign_id), suppressed: suppressedNumbers.length }
      })
    )
    yield* completeDrained(sql, items.campaigns, now)
    const count = (outcome: BulkRemovalItem["outcome"]) => items.out.filter((i) => i.outcome === outcome).length
    return new BulkRemoval({
      results: items.out,
      removed: count("removed"),
      already_removed: count("already_removed"),
      not_found: count("not_found"),
      refused: count("refused"),
      ...(request.suppress === true ? { suppressed: items.suppressed } : {})
    }, true)
  }, orDieOnSql)

  const removalOf = Effect.fn("leadq/LeadRepository.removalOf")(function*(org: OrganizationId, leadId: string) {
    return yield* findOne(RemovalRecordRow, sql`SELECT * FROM lead_removals WHERE lead_id = ${leadId} AND organization_id = ${org}`)
  }, orDieOnSql)

  return LeadRepository.of({ add, addMany, get, list, update, remove, removeMany, removalOf })
})

export const LeadRepositoryLive: Layer.Layer<LeadRepository, never, SqlClient.SqlClient | QueueWakeups | GroupCommit> = Layer.effect(
  LeadRepository,
  makeLeadRepository
)
