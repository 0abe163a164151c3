import type { E164, LeadId } from "@leadq/domain"
import { joinPhone, LeadId as LeadIdSchema } from "@leadq/domain"
import { Either, Schema } from "effect"

/**
 * The input of `leads remove-many`: one lead id (`lead_…`) or one phone number per line.
 *
 * - Blank lines and `#` comments (whole lines, or the end of a line) are ignored, so a failures
 *   file written by a previous run can be fed back as it is.
 * - A CSV works too: the first field of each line is taken, and a header line (`id`, `lead_id`,
 *   `phone`, `phone_number`, `number`) is skipped.
 * - Phone numbers are E.164 (`+14155550123`), or national numbers with `--country-code`;
 *   spaces, dashes, dots and brackets are ignored.
 * - The same id or number twice is done once (and counted as a duplicate).
 */
export type Entry =
  | { readonly kind: "id"; readonly value: LeadId; readonly line: number }
  | { readonly kind: "phone"; readonly value: E164; readonly line: number }

export interface InvalidLine {
  readonly line: number
  readonly text: string
  readonly why: string
}

export interface OptOutList {
  readonly entries: ReadonlyArray<Entry>
  readonly duplicates: number
  readonly invalid: ReadonlyArray<InvalidLine>
}

const HEADERS = new Set(["id", "lead_id", "leadid", "lead", "phone", "phone_number", "phonenumber", "number", "msisdn"])
const isLeadId = Schema.is(LeadIdSchema)

const firstField = (line: string) => {
  const field = line.split(/[,;\t]/, 1)[0] ?? ""
  return field.trim().replace(/^"(.*)"$/, "$1").trim()
}

export const parseOptOutList = (text: string, countryCode?: string | undefined): OptOutList => {
  const entries: Array<Entry> = []
  const invalid: Array<InvalidLine> = []
  const seen = new Set<string>()
  let duplicates = 0
  let headerChecked = false
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const hash = lines[i]!.indexOf("#")
    const value = firstField(hash === -1 ? lines[i]! : lines[i]!.slice(0, hash))
    if (value === "") continue
    if (!headerChecked) {
      headerChecked = true
      if (HEADERS.has(value.toLowerCase())) continue
    }
    const line = i + 1
    let entry: Entry
    if (value.toLowerCase().startsWith("lead_")) {
      if (!isLeadId(value)) {
        invalid.push({ line, text: value, why: "is not a lead id (lead_ and 24 characters)" })
        continue
      }
      entry = { kind: "id", value, line }
    } else {
      const phone = joinPhone(value, countryCode, "phone number")
      if (Either.isLeft(phone)) {
        invalid.push({ line, text: value, why: `is neither a lead id (lead_…) nor a phone number: ${phone.left.issues.join("; ")}` })
        continue
      }
      entry = { kind: "phone", value: phone.right, line }
    }
    const key = `${entry.kind}:${entry.value}`
    if (seen.has(key)) {
      duplicates++
      continue
    }
    seen.add(key)
    entries.push(entry)
  }
  return { entries, duplicates, invalid }
}
