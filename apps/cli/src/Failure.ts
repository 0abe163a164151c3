import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Cause from "effect/Cause"
import * as Option from "effect/Option"
import { EXIT_FAILED, EXIT_USAGE } from "./ExitCode.js"

/** What to tell about a failure, and how to exit. */
export interface Described {
  readonly exitCode: number
  /** The error's tag (`LeadNotFound`, `UsageError`, …), for `--json` error lines. */
  readonly code: string
  readonly message: string
  /** Lines after the message: one per problem, then a hint. */
  readonly details: ReadonlyArray<string>
}

interface Tagged {
  readonly _tag?: unknown
  readonly message?: unknown
  readonly issues?: unknown
  readonly details?: unknown
  readonly hint?: unknown
  readonly lead_id?: unknown
}

const KEY_HINT = "Check LEADQ_API_KEY or --api-key (a new key: leadq keys create --org NAME)."
const URL_HINT = "Is a gateway running there? Point LEADQ_URL or --url at it."

const ANSI = /\x1b\[[0-9;]*m/g

/**
 * A usage error found while parsing the command line (@effect/cli's own, or a flag's schema), as
 * lines of plain text. An environment variable its Config refused reads
 * `(Invalid data at LEADQ_URL: "…")`: told as `LEADQ_URL: …`.
 */
const usageLines = (doc: HelpDoc.HelpDoc): ReadonlyArray<string> =>
  HelpDoc.toAnsiText(doc).replace(ANSI, "").split("\n").map((l) => l.trim()).filter((l) => l !== "").map((l) =>
    l.replace(/^\(Invalid data at ([^:]+): "(.*)"\)$/, "$1: $2")
  )

/** One failure of a command, as the person (or the script) running it should read it. */
export const describeFailure = (error: unknown): Described => {
  if (ValidationError.isValidationError(error)) {
    const [message = "Bad usage.", ...details] = usageLines(error.error)
    return { exitCode: EXIT_USAGE, code: "UsageError", message, details }
  }
  const e = (typeof error === "object" && error !== null ? error : {}) as Tagged
  const tag = typeof e._tag === "string" ? e._tag : "Error"
  const message = typeof e.message === "string" && e.message !== "" ? e.message : String(error)
  switch (tag) {
    case "UsageError": {
      const details = Array.isArray(e.details) ? (e.details as Array<string>) : []
      return {
        exitCode: EXIT_USAGE,
        code: tag,
        message,
        details: typeof e.hint === "string" ? [...details, e.hint] : details
      }
    }
    case "InvalidInput":
      return {
        exitCode: EXIT_FAILED,
        code: tag,
        message: "The gateway refused the request:",
        details: Array.isArray(e.issues) ? (e.issues as Array<string>) : [message]
      }
    case "Unauthorized":
      return { exitCode: EXIT_FAILED, code: tag, message, details: [KEY_HINT] }
    case "DuplicateLead":
      return { exitCode: EXIT_FAILED, code: tag, message, details: [`See it: leadq leads get ${String(e.lead_id)}`] }
    case "ConnectionError":
    case "RequestTimeout":
      return { exitCode: EXIT_FAILED, code: tag, message, details: [URL_HINT] }
    default:
      return { exitCode: EXIT_FAILED, code: tag, message, details: [] }
  }
}

/** The failure of a whole run: its first failure, or its first defect. */
export const describeCause = (cause: Cause.Cause<unknown>): Described => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return describeFailure(failure.value)
  const defect = Cause.dieOption(cause)
  const what = Option.isSome(defect)
    ? defect.value instanceof Error ? defect.value.message : String(defect.value)
    : Cause.pretty(cause)
  return { exitCode: EXIT_FAILED, code: "Defect", message: `Unexpected error: ${what}`, details: [] }
}
