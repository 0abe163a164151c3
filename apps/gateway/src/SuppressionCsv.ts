import type { PayloadTooLarge } from "@leadq/api"
import type { SuppressionDraft } from "@leadq/domain"
import { InvalidInput, joinPhone, SUPPRESSION_REASON_MAX } from "@leadq/domain"
import { Either } from "effect"
import { StreamedCsv } from "./StreamedCsv.js"

/**
 * A CSV file of numbers to suppress, read as it streams in, all or nothing like the lead upload
 * (LeadCsv.ts): a `phone_number` column is required, `country_code`, `reason` and `expires_at`
 * are optional and no other column is taken (a typo'd column would otherwise drop its data); a
 * row without a number is skipped and counted; any invalid row rejects the file with the row
 * numbers (the header is row 1).
 */
export const MAX_SUPPRESSION_ROWS = 100_000
const COLUMNS = new Set(["phone_number", "country_code", "reason", "expires_at"])

export interface SuppressionCsvResult {
  readonly drafts: ReadonlyArray<SuppressionDraft>
  readonly skipped: number
}

export class SuppressionCsv extends StreamedCsv {
  private columns: ReadonlyMap<string, number> | undefined
  private width = 0
  private readonly drafts: Array<SuppressionDraft> = []
  private skipped = 0

  constructor(private readonly now: number) {
    super()
  }

  finish(): Either.Either<SuppressionCsvResult, InvalidInput | PayloadTooLarge> {
    const refused = this.end(
      "file: is empty; it needs a header row with a phone_number column, then one row per number",
      "nothing was suppressed"
    )
    if (refused !== undefined) return Either.left(refused)
    if (this.drafts.length === 0 && this.skipped === 0) return Either.left(InvalidInput.of(["file: has a header but no rows"]))
    return Either.right({ drafts: this.drafts, skipped: this.skipped })
  }

  protected hasHeader() {
    return this.columns !== undefined
  }

  private header(fields: ReadonlyArray<string>) {
    const problems: Array<string> = []
    const columns = new Map<string, number>()
    fields.forEach((raw, i) => {
      const name = raw.trim().toLowerCase()
      if (!COLUMNS.has(name)) problems.push(`header: column ${i + 1} ("${raw.trim()}") is not one of phone_number, country_code, reason, expires_at`)
      else if (columns.has(name)) problems.push(`header: column "${name}" appears twice`)
      else columns.set(name, i)
    })
    if (!columns.has("phone_number")) problems.push("header: a phone_number column is required")
    if (problems.length > 0) this.fatal = InvalidInput.of(problems)
    else {
      this.columns = columns
      this.width = fields.length
    }
  }

  protected onRecord(fields: Array<string>, n: number) {
    if (this.fatal !== undefined) return
    if (fields.length === 1 && fields[0]!.trim() === "") return
    if (this.columns === undefined) return this.header(fields)
    const at = (column: string) => {
      const i = this.columns!.get(column)
      return i === undefined ? "" : (fields[i] ?? "").trim()
    }
    if (fields.length > this.width) return this.problem(n, `has ${fields.length} fields, the header has ${this.width}`)
    const phone = at("phone_number")
    if (phone === "") {
      this.skipped++
      return
    }
    if (this.drafts.length >= MAX_SUPPRESSION_ROWS) {
      this.fatal = InvalidInput.of([`file: has more than ${MAX_SUPPRESSION_ROWS} rows; split it into several uploads`])
      return
    }
    const countryCode = at("country_code")
    const joined = joinPhone(phone, countryCode === "" ? undefined : countryCode, "phone_number")
    if (Either.isLeft(joined)) return this.problem(n, joined.left.issues.join("; ").replace(/\bcountryCode\b/g, "country_code"))
    const reason = at("reason")
    if (reason.length > SUPPRESSION_REASON_MAX) return this.problem(n, `reason must be at most ${SUPPRESSION_REASON_MAX} characters`)
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(reason)) return this.problem(n, "reason must not contain control characters")
    const rawExpiry = at("expires_at")
    let expires_at: Date | null = null
    if (rawExpiry !== "") {
      const ms = Date.parse(rawExpiry)
      if (Number.isNaN(ms)) return this.problem(n, `expires_at must be an ISO 8601 date-time, got "${rawExpiry}"`)
      if (ms <= this.now) return this.problem(n, `expires_at must be in the future, got ${rawExpiry}`)
      expires_at = new Date(ms)
    }
    this.drafts.push({ phone_number: joined.right, reason: reason === "" ? null : reason, expires_at })
  }
}
