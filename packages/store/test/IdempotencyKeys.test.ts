import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import type { StoredAnswer } from "@leadq/domain"
import { IdempotencyKeys, randomToken } from "@leadq/domain"
import { Effect } from "effect"
import { testEngines } from "../src/testing/index.js"
import { storeLayer } from "./fixtures.js"

const engines = await testEngines()
const TTL = 24 * 60 * 60 * 1000
const ABANDONED = 10 * 60 * 1000
const T = Date.parse("2026-06-01T12:00:00Z")

const answer: StoredAnswer = {
  status: 201,
  headers: { "content-type": "application/json", location: "/v1/x" },
  // Bytes that are not UTF-8 too: the store keeps bytes, not text.
  body: new Uint8Array([123, 34, 105, 100, 34, 58, 49, 125, 0xff, 0xfe, 0])
}

/** A key no other test uses (the suite shares one database), in organization `org`. */
const fresh = (org = `org_${randomToken(10)}`) => ({ organizationId: org, key: `key-${randomToken(12)}` })

const claimAt = (k: { organizationId: string; key: string }, fingerprint: string, now: number) =>
  Effect.flatMap(IdempotencyKeys, (keys) => keys.claim({ ...k, fingerprint, now, ttlMs: TTL, abandonedAfterMs: ABANDONED }))

for (const engine of engines) {
  layer(storeLayer(engine), { timeout: 120_000 })(`idempotency keys on ${engine}`, (it) => {
    it.effect("of claims racing on one key exactly one wins; the others see it in flight, then its answer byte for byte", () =>
      Effect.gen(function*() {
        const keys = yield* IdempotencyKeys
        const k = fresh()
        const claims = yield* Effect.all(Array.from({ length: 12 }, () => claimAt(k, "fp", T)), { concurrency: "unbounded" })
        const won = claims.filter((c) => c._tag === "Claimed")
        expect(won).toHaveLength(1)
        expect(claims.filter((c) => c._tag === "Taken")).toEqual(
          Array.from({ length: 11 }, () => ({ _tag: "Taken", fingerprint: "fp", answer: undefined }))
        )
        yield* keys.complete(k.organizationId, k.key, (won[0] as { token: string }).token, answer)
        const again = yield* claimAt(k, "other", T + 1)
        expect(again).toEqual({ _tag: "Taken", fingerprint: "fp", answer: { ...answer, body: expect.anything() } })
        expect([...(again as { answer: StoredAnswer }).answer.body]).toEqual([...answer.body])
      }))

    it.effect("a released key is claimed afresh; a stale token neither completes nor releases the new claim", () =>
      Effect.gen(function*() {
        const keys = yield* IdempotencyKeys
        const k = fresh()
        const first = yield* claimAt(k, "fp", T)
        if (first._tag !== "Claimed") throw new Error("first claim lost")
        yield* keys.release(k.organizationId, k.key, first.token)
        const second = yield* claimAt(k, "fp2", T + 5)
        if (second._tag !== "Claimed") throw new Error("second claim lost")
        yield* keys.complete(k.organizationId, k.key, first.token, answer)
        yield* keys.release(k.organizationId, k.key, first.token)
        expect(yield* claimAt(k, "fp2", T + 6)).toEqual({ _tag: "Taken", fingerprint: "fp2", answer: undefined })
      }))

    it.effect("the same key in another organization is another key", () =>
      Effect.gen(function*() {
        const k = fresh()
        expect((yield* claimAt(k, "fp", T))._tag).toBe("Claimed")
        expect((yield* claimAt({ ...k, organizationId: `org_${randomToken(10)}` }, "fp", T))._tag).toBe("Claimed")
      }))

    it.effect("24 h after its first use a key is free again, whatever it answered; one in flight is taken over after 10 min, by the same request only", () =>
      Effect.gen(function*() {
        const keys = yield* IdempotencyKeys
        const done = fresh()
        const first = yield* claimAt(done, "fp", T)
        if (first._tag !== "Claimed") throw new Error("claim lost")
        yield* keys.complete(done.organizationId, done.key, first.token, answer)
        expect((yield* claimAt(done, "other", T + TTL - 1))._tag).toBe("Taken")
        expect((yield* claimAt(done, "other", T + TTL))._tag).toBe("Claimed")

        const stuck = fresh()
        expect((yield* claimAt(stuck, "fp", T))._tag).toBe("Claimed")
        expect(yield* claimAt(stuck, "fp", T + ABANDONED - 1)).toMatchObject({ _tag: "Taken", answer: undefined })
        expect(yield* claimAt(stuck, "other", T + ABANDONED)).toMatchObject({ _tag: "Taken", fingerprint: "fp" })
        expect((yield* claimAt(stuck, "fp", T + ABANDONED))._tag).toBe("Claimed")
      }))

    it.effect("pruning deletes the keys past their 24 h and only those", () =>
      Effect.gen(function*() {
        const keys = yield* IdempotencyKeys
        const sql = yield* SqlClient.SqlClient
        const org = `org_${randomToken(10)}`
        const old = fresh(org)
        const young = fresh(org)
        // Far in the past, so that keys of the other tests (claimed at T) are not what is pruned here.
        const past = T - 10 * TTL
        yield* claimAt(old, "fp", past)
        yield* claimAt(young, "fp", past + 1)
        expect(yield* keys.prune(past + TTL, TTL)).toBe(1)
        const left = yield* sql<{ idempotency_key: string }>`SELECT idempotency_key FROM idempotency_keys WHERE organization_id = ${org}`
        expect(left.map((r) => r.idempotency_key)).toEqual([young.key])
      }))
  })
}
