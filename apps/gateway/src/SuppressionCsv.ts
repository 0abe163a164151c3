import { MAX_CSV_BYTES, PayloadTooLarge } from "@leadq/api"
import type { SuppressionDraft } from "@leadq/domain"
import { InvalidInput, joinPhone, SUPPRESSION_REASON_MAX } from "@leadq/domain"
import { Either } from "effect"
import { CsvReader } from "./CsvReader.js"

/**
 * A CSV file of numbers to suppress, read as it streams in, all or nothing like the lead upload
 * (LeadCsv.ts): a `phone_number` column is required, `country_code`, `reason` and `expires_at`
 * are optional and no other column is taken (a typo'd column would otherwise drop its data); a
 * row without a number is skipped and counted; any invalid row rejects the file with the row
 * numbers (the header is row 1).
 */
export const MAX_SUPPRESSION_ROWS = 100_000
const MAX_REPORTED = 100
const COLUMNS = new Set(["phone_number", "country_code", "reason", "expires_at"])

export interface SuppressionCsvResult {
  readonly drafts: ReadonlyArray<SuppressionDraft>
  readonly skipped: number
}

export class SuppressionCsv {
  private readonly decoder = new TextDecoder("utf-8", { fatal: false })
  private readonly reader = new CsvReader((fields, n) => this.onRecord(fields, n))
  private columns: ReadonlyMap<string, number> | undefined
  private width = 0
  private readonly drafts: Array<SuppressionDraft> = []
  private skipped = 0
  private bytes = 0
  private readonly problems: Array<string> = []
  private invalidRows = 0
  private fatal: InvalidInput | PayloadTooLarge | undefined

  constructor(private readonly now: number) {}

  feedBytes(chunk: Uint8Array): void {
    if (this.fatal !== undefined) return
    this.bytes += chunk.byteLength
    if (this.bytes > MAX_CSV_BYTES) {
      this.fatal = PayloadTooLarge.of(MAX_CSV_BYTES, "The file")
      return
    }
    this.reader.feed(this.decoder.decode(chunk, { stream: true }))
  }

  feedText(text: string): void {
    this.feedBytes(new TextEncoder().encode(text))
  }

  finish(): Either.Either<SuppressionCsvResult, InvalidInput | PayloadTooLarge> {
    if (this.fatal === undefined) {
      this.reader.feed(this.decoder.decode())
      const { unterminatedQuoteAt } = this.reader.end()
      if (unterminatedQuoteAt !== undefined) this.problem(unterminatedQuoteAt, "a quoted field is never closed")
    }
    if (this.fatal !== undefined) return Either.left(this.fatal)
    if (this.columns === undefined) {
      return Either.left(InvalidInput.of(["file: is empty; it needs a header row with a phone_number column, then one row per number"]))
    }
    if (this.invalidRows > 0) {
      const more = this.invalidRows - Math.min(this.invalidRows, MAX_REPORTED)
      return Either.left(InvalidInput.of([
        `file: ${this.invalidRows} invalid row${this.invalidRows === 1 ? "" : "s"}; nothing was suppressed`,
        ...this.problems,
        ...(more > 0 ? [`… and ${more} more invalid rows`] : [])
      ]))
    }
    if (this.drafts.length === 0 && this.skipped === 0) return Either.left(InvalidInput.of(["file: has a header but no rows"]))
    return Either.right({ drafts: this.drafts, skipped: this.skipped })
  }

  private problem(row: number, message: string) {
    this.invalidRows++
    if (this.problems.length < MAX_REPORTED) this.problems.push(`row ${row}: ${message}`)
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

  private onRecord(fields: Array<string>, n: number) {
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
