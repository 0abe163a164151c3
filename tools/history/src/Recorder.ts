import { Effect, Exit } from "effect"
import type { ClientOp, OpKind } from "./History.js"

/** How an answer is classified: the status a client saw, and whether the request surely happened. */
export interface Answer {
  readonly outcome: "ok" | "fail" | "unknown"
  readonly status?: number | undefined
  readonly lead_id?: string | undefined
  readonly scheduled_at?: number | undefined
  /** Numbers the answer says were suppressed (a bulk removal with `suppress: true`). */
  readonly suppresses?: ReadonlyArray<string> | undefined
}

/** What a request is about beyond its target: who asked, and the numbers it suppresses (check 9). */
export type OpAbout = Pick<ClientOp, "organization_id" | "suppresses" | "expires_at">

/**
 * Records client operations with their start and end times (docs/history-checks.md, "What to record").
 * `record` runs the request and keeps the answer; a defect or an interruption is `unknown`.
 */
export const makeRecorder = () => {
  const ops: Array<ClientOp> = []
  const record = <E, R>(kind: OpKind, target: string, request: Effect.Effect<Answer, E, R>, about: OpAbout = {}) =>
    Effect.gen(function*() {
      const started_at = Date.now()
      const exit = yield* Effect.exit(request)
      const ended_at = Date.now()
      // The request's own failure (a dropped connection, a timeout) means we cannot know.
      const answer: Answer = Exit.isSuccess(exit) ? exit.value : { outcome: "unknown" }
      ops.push({ kind, target, started_at, ended_at, ...about, ...answer })
      return answer
    })
  return { record, operations: (): ReadonlyArray<ClientOp> => [...ops] }
}
