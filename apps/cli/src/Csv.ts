/**
 * CSV as RFC 4180 writes it: a field that holds a comma, a double quote or a line break is
 * quoted, its quotes doubled; `null` is an empty field.
 *
 * One more rule, for the spreadsheets such an export is opened in (CSV formula injection): a
 * cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a formula, so
 * it is written with a single quote in front (`'=HYPERLINK(…)`), which spreadsheets show as text.
 * A cell that is only a number — an E.164 number such as `+14155550123`, a negative count — runs
 * nothing and is left exactly as the API holds it. Nothing else is changed: an export for a
 * compliance review must carry the values as the API holds them (docs/cli.md, `removals list`).
 */
const FORMULA_START = /^[=+\-@\t\r]/
const PLAIN_NUMBER = /^[+-]?[0-9]+(\.[0-9]+)?$/

export const csvField = (value: string | number | boolean | null): string => {
  const raw = value === null ? "" : String(value)
  const text = FORMULA_START.test(raw) && !PLAIN_NUMBER.test(raw) ? `'${raw}` : raw
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, "\"\"")}"` : text
}

export const csvLine = (fields: ReadonlyArray<string | number | boolean | null>): string => fields.map(csvField).join(",")
