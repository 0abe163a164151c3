/**
 * Slot scheduling (docs/design.md §4). A lead's `scheduled_at` is fixed when it is enqueued: the
 * campaign's start, or the moment of enqueueing when the campaign has already started. Leads
 * with the same `scheduled_at` are served in enqueue order (a sequence number), so each new
 * lead takes a later slot than every lead before it.
 *
 * Nothing but the lead's own retry ever changes a `scheduled_at` afterwards: removing a lead
 * frees its place without moving anyone else's.
 */
export const slotFor = (campaignStartsAt: number, enqueuedAt: number): number => Math.max(campaignStartsAt, enqueuedAt)

/** Due means the slot has come and nothing about the lead itself holds it back. */
export const isDue = (scheduledAt: number, now: number): boolean => scheduledAt <= now
