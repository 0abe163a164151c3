import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, FastCheck as fc } from "effect"
import { databaseRows, rowDiff } from "./DatabaseRows.js"
import type { FuzzRequest } from "./FuzzRequest.js"
import { describeRequest } from "./FuzzRequest.js"
import type { OpenApiDocument, Operation } from "./OpenApi.js"
import { operationsOf, resolver } from "./OpenApi.js"
import { mustNotChange, problemsOf } from "./Oracle.js"
import { send } from "./RawClient.js"
import type { FuzzPools } from "./RequestArbitrary.js"
import { methodConfusionArb, requestArb } from "./RequestArbitrary.js"

/**
 * The abuse run: requests for every operation of the gateway's own OpenAPI document
 * (`GET /openapi.json`), made by fast-check from a seed, sent one at a time; each answer goes
 * through the oracle, and every request that was refused (or only reads) must leave every row of
 * the database as it was.
 */
export interface FuzzOptions {
  readonly baseUrl: string
  readonly seed: number
  readonly requests: number
  readonly pools: () => FuzzPools
  /** Called every `batch` requests (fresh campaigns and leads to act on). */
  readonly refill?: Effect.Effect<void, never, SqlClient.SqlClient> | undefined
  readonly batch?: number | undefined
  readonly maxJsonBytes?: number | undefined
  readonly progress?: ((line: string) => void) | undefined
}

export interface FuzzFinding {
  readonly operation: string
  readonly problem: string
  readonly request: string
  readonly status: number | undefined
  readonly body: string
}

export interface FuzzResult {
  readonly operations: ReadonlyArray<Operation>
  readonly sent: number
  /** Requests the HTTP client refused to send (an illegal header value): they never reached leadq. */
  readonly notSent: number
  /** Requests after which the database was compared with its picture from before. */
  readonly unchangedChecks: number
  readonly byOperation: Readonly<Record<string, number>>
  readonly byStatus: Readonly<Record<string, number>>
  readonly findings: ReadonlyArray<FuzzFinding>
}

export const fetchOpenApi = (baseUrl: string) =>
  Effect.promise(async () => (await (await fetch(`${baseUrl}/openapi.json`)).json()) as OpenApiDocument)

export const runFuzz = (options: FuzzOptions) =>
  Effect.gen(function*() {
    const doc = yield* fetchOpenApi(options.baseUrl)
    const resolve = resolver(doc)
    const operations = operationsOf(doc)
    const batch = options.batch ?? 200
    const byOperation: Record<string, number> = {}
    const byStatus: Record<string, number> = {}
    const findings: Array<FuzzFinding> = []
    const seen = new Map<string, number>()
    let sent = 0
    let notSent = 0
    let unchangedChecks = 0
    let before = yield* databaseRows

    for (let start = 0; start < options.requests; start += batch) {
      if (start > 0 && options.refill !== undefined) {
        yield* options.refill
        before = yield* databaseRows
      }
      const pools = options.pools()
      const arb = fc.oneof(
        ...operations.map((op) => ({ weight: 10, arbitrary: requestArb(op, resolve, pools, options.maxJsonBytes ?? 1024 * 1024) })),
        { weight: 8, arbitrary: methodConfusionArb(operations, pools) }
      )
      const requests: ReadonlyArray<FuzzRequest> = fc.sample(arb, { seed: options.seed + start, numRuns: Math.min(batch, options.requests - start) })
      for (const request of requests) {
        const response = yield* Effect.promise(() =>
          send(options.baseUrl, request).then(
            (r) => ({ ok: true as const, r }),
            (e: unknown) => ({ ok: false as const, e })
          )
        )
        byOperation[request.operation] = (byOperation[request.operation] ?? 0) + 1
        const problems: Array<string> = []
        if (!response.ok) problems.push(`no answer: ${String(response.e)}`)
        else if (response.r === undefined) {
          notSent++
          continue
        }
        sent++
        const answer = response.ok ? response.r : undefined
        if (answer !== undefined) {
          byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1
          problems.push(...problemsOf(request, answer))
        }
        const after = yield* databaseRows
        if (answer === undefined || mustNotChange(request, answer)) {
          unchangedChecks++
          const diff = rowDiff(before, after)
          if (diff.length > 0) problems.push(`refused (${answer?.status ?? "no answer"}) but changed the database: ${diff.slice(0, 3).join("; ")}`)
        }
        before = after
        for (const problem of problems) {
          const key = `${request.operation} ${problem.replace(/\d+/g, "#").slice(0, 80)}`
          const n = seen.get(key) ?? 0
          seen.set(key, n + 1)
          if (n >= 3) continue
          findings.push({
            operation: request.operation,
            problem,
            request: describeRequest(request),
            status: answer?.status,
            body: answer?.body.toString("utf8").slice(0, 500) ?? ""
          })
        }
      }
      options.progress?.(`${start + requests.length}/${options.requests} requests, ${findings.length} finding(s)`)
    }
    return { operations, sent, notSent, unchangedChecks, byOperation, byStatus, findings } satisfies FuzzResult
  })

export const formatFindings = (findings: ReadonlyArray<FuzzFinding>): string =>
  findings.length === 0
    ? "0 findings"
    : [`${findings.length} finding(s):`, ...findings.map((f) => `  [${f.operation}] ${f.problem}\n    request: ${f.request}\n    answer: ${f.status} ${f.body}`)].join("\n")
