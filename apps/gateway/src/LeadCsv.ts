import type { PayloadTooLarge } from "@leadq/api"
import type { LeadDraft, Notes } from "@leadq/domain"
import { InvalidInput, joinPhone, MAX_NOTE_KEY_LENGTH, MAX_NOTE_KEYS, MAX_NOTE_VALUE_LENGTH } from "@leadq/domain"
import { Either } from "effect"
import { StreamedCsv } from "./StreamedCsv.js"

/**
 * A CSV file of leads, read as it streams in (docs/design.md §2, the bulk upload):
 *
 * - the first record is the header; a `phone_number` column is required; `country_code` and
 *   `name` map to the lead; at most 15 other columns, whose values become the lead's notes;
 * - a record without a phone number is skipped and counted; a wholly empty line is ignored;
 * - any invalid record rejects the whole file, with every bad record's number (the header is
 *   record 1, as a spreadsheet numbers its rows);
 * - the file is never held whole: only the drafts it yields are kept, for one all-or-nothing
 *   insert.
 */
export const MAX_CSV_ROWS = 250_000
const MAX_NAME_LENGTH = 200
const RESERVED = new Set(["phone_number", "country_code", "name"])

export interface LeadCsvResult {
  readonly drafts: ReadonlyArray<LeadDraft>
  /** Each draft's record number (the header is 1), to name a row the store skips. */
  readonly rows: ReadonlyArray<number>
  readonly skipped: number
}

interface Columns {
  readonly phone: number
  readonly countryCode: number
  readonly name: number
  readonly notes: ReadonlyArray<readonly [index: number, key: string]>
  readonly width: number
}

const parseHeader = (fields: ReadonlyArray<string>): Either.Either<Columns, Array<string>> => {
  const problems: Array<string> = []
  const seen = new Map<string, number>()
  const notes: Array<readonly [number, string]> = []
  fields.forEach((raw, i) => {
    const name = raw.trim()
    const lower = name.toLowerCase()
    const key = RESERVED.has(lower) ? lower : name
    if (name === "") problems.push(`header: column ${i + 1} has no name`)
    else if (name.length > MAX_NOTE_KEY_LENGTH) problems.push(`header: column ${i + 1} has a name longer than ${MAX_NOTE_KEY_LENGTH} characters`)
    else if (seen.has(key)) problems.push(`header: column "${name}" appears twice`)
    else if (name.includes("\u0000")) problems.push(`header: column ${i + 1} contains a NUL character`)
    else {
      seen.set(key, i)
      if (!RESERVED.has(lower)) notes.push([i, name])
    }
  })
  if (!seen.has("phone_number")) problems.push("header: a phone_number column is required")
  if (notes.length > MAX_NOTE_KEYS) {
    problems.push(
      `header: at most ${MAX_NOTE_KEYS} columns besides phone_number, country_code and name (they become notes); this file has ${notes.length}`
    )
  }
  if (problems.length > 0) return Either.left(problems)
  return Either.right({
    phone: seen.get("phone_number")!,
    countryCode: seen.get("country_code") ?? -1,
    name: seen.get("name") ?? -1,
    notes,
    width: fields.length
  })
}

export class LeadCsv extends StreamedCsv {
  private columns: Columns | undefined
  private readonly drafts: Array<LeadDraft> = []
  private readonly rows: Array<number> = []
  private skipped = 0

  finish(): Either.Either<LeadCsvResult, InvalidInput | PayloadTooLarge> {
    const refused = this.end(
      "file: is empty; it needs a header row with a phone_number column, then one row per lead",
      "nothing was imported"
    )
    if (refused !== undefined) return Either.left(refused)
    if (this.drafts.length === 0 && this.skipped === 0) {
      return Either.left(InvalidInput.of(["file: has a header but no rows"]))
    }
    return Either.right({ drafts: this.drafts, rows: this.rows, skipped: this.skipped })
  }

  protected hasHeader() {
    return this.columns !== undefined
  }

  protected onRecord(fields: Array<string>, n: number) {
    if (this.fatal !== undefined) return
    if (this.columns === undefined) {
      // Blank lines before the header are not a header.
      if (fields.length === 1 && fields[0]!.trim() === "") return
      const header = parseHeader(fields)
      if (Either.isLeft(header)) this.fatal = InvalidInput.of(header.left)
      else this.columns = header.right
      return
    }
    const columns = this.columns
    if (fields.length === 1 && fields[0]!.trim() === "") return
    if (fields.length > columns.width) {
      return this.problem(n, `has ${fields.length} fields, the header has ${columns.width}`)
    }
    const phone = (fields[columns.phone] ?? "").trim()
    if (phone === "") {
      if (fields.every((f) => f.trim() === "")) return
      this.skipped++
      return
    }
    if (this.drafts.length >= MAX_CSV_ROWS) {
      this.fatal = InvalidInput.of([`file: has more than ${MAX_CSV_ROWS} rows; split it into several uploads`])
      return
    }
    for (const f of fields) {
      if (f.includes("\u0000")) return this.problem(n, "contains a NUL character")
    }
    const countryCode = columns.countryCode === -1 ? undefined : fields[columns.countryCode]?.trim()
    const joined = joinPhone(phone, countryCode === "" ? undefined : countryCode, "phone_number")
    if (Either.isLeft(joined)) {
      return this.problem(n, joined.left.issues.join("; ").replace(/\bcountryCode\b/g, "country_code"))
    }
    const rawName = columns.name === -1 ? "" : (fields[columns.name] ?? "").trim()
    if (rawName.length > MAX_NAME_LENGTH) return this.problem(n, `name must be at most ${MAX_NAME_LENGTH} characters`)
    const notes: Record<string, string> = {}
    for (const [i, key] of columns.notes) {
      const value = fields[i]
      if (value === undefined || value === "") continue
      if (value.length > MAX_NOTE_VALUE_LENGTH) return this.problem(n, `${key} must be at most ${MAX_NOTE_VALUE_LENGTH} characters`)
      notes[key] = value
    }
    this.drafts.push({ name: rawName === "" ? null : rawName, phone_number: joined.right, notes: notes as Notes })
    this.rows.push(n)
  }
}
