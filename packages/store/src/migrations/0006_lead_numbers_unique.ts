import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

/**
 * A campaign holds a phone number once while its lead is not removed (docs/api.md, duplicate
 * numbers): a partial unique index makes the database refuse the second live lead, so two
 * concurrent adds of one number cannot both land, on either engine.
 *
 * A database from before this rule may already hold such duplicates, and an index over them
 * could not be built. Nothing is removed or changed for them (which of two leads a person meant
 * is not ours to guess). The index is on (campaign_id, phone_number, duplicate_slot):
 * `duplicate_slot` is 0 for every lead, except that each live lead repeating an earlier live
 * lead's number in its campaign gets its own `seq` there, which no other row shares, so the
 * existing duplicates coexist while the earliest of them (slot 0) still holds the number in the
 * index. New leads always get slot 0; a correction of a legacy duplicate's number resets it to 0
 * (SqlLeadRepository.update). The check before an insert (LiveNumbers.ts) reads every live lead
 * of any slot, through this very index's (campaign_id, phone_number) prefix.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE leads ADD COLUMN duplicate_slot BIGINT NOT NULL DEFAULT 0`
  yield* sql`UPDATE leads SET duplicate_slot = seq
    WHERE state <> 'removed' AND EXISTS (
      SELECT 1 FROM leads o
      WHERE o.organization_id = leads.organization_id AND o.phone_number = leads.phone_number
        AND o.campaign_id = leads.campaign_id AND o.state <> 'removed' AND o.seq < leads.seq
    )`
  yield* sql`CREATE UNIQUE INDEX leads_live_number ON leads (campaign_id, phone_number, duplicate_slot)
    WHERE state <> 'removed'`
})
