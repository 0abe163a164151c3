import { describe, expect, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { CsvReader } from "../src/CsvReader.js"

const read = (chunks: ReadonlyArray<string>) => {
  const records: Array<Array<string>> = []
  const reader = new CsvReader((fields) => records.push(fields))
  for (const c of chunks) reader.feed(c)
  const end = reader.end()
  return { records, unterminatedQuoteAt: end.unterminatedQuoteAt }
}

const quote = (field: string) => /[",\r\n]/.test(field) || field.startsWith("\"") ? `"${field.replace(/"/g, "\"\"")}"` : field

/** Cut a text into pieces at random places (a chunk boundary may fall anywhere, even in a CRLF). */
const cut = (text: string, cuts: ReadonlyArray<number>) => {
  const points = [...new Set(cuts.map((c) => Math.floor(c * text.length)))].sort((a, b) => a - b)
  const out: Array<string> = []
  let last = 0
  for (const p of points) {
    out.push(text.slice(last, p))
    last = p
  }
  out.push(text.slice(last))
  return out
}

describe("CsvReader", () => {
  it("reads quoted fields with commas, quotes and line breaks; CRLF, LF and CR; skips a BOM", () => {
    const text = "\ufeffphone_number,name,notes\r\n+14155550100,\"Doe, Jane\",\"said \"\"hi\"\"\r\nthen left\"\n+14155550101,Bob,\r+14155550102,,x"
    expect(read([text]).records).toEqual([
      ["phone_number", "name", "notes"],
      ["+14155550100", "Doe, Jane", "said \"hi\"\r\nthen left"],
      ["+14155550101", "Bob", ""],
      ["+14155550102", "", "x"]
    ])
  })

  it("reports a quoted field that is never closed, with the record where it opened", () => {
    expect(read(["a,b\n1,\"open\n2,3\n"]).unterminatedQuoteAt).toBe(2)
  })

  it.prop(
    "any table survives quoting, any line ending, a BOM and any chunking",
    [
      FastCheck.array(FastCheck.array(FastCheck.string({ unit: FastCheck.constantFrom("a", "b", ",", "\"", "\n", "\r", " ", "é", "😀") }), { minLength: 1, maxLength: 5 }), {
        minLength: 1,
        maxLength: 12
      }),
      FastCheck.constantFrom("\n", "\r\n", "\r"),
      FastCheck.boolean(),
      FastCheck.array(FastCheck.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 })
    ],
    ([table, eol, bom, cuts]) => {
      // A record of one empty field is an empty line, which the reader (rightly) cannot tell apart.
      FastCheck.pre(table.every((row) => !(row.length === 1 && row[0] === "")))
      const text = (bom ? "\ufeff" : "") + table.map((row) => row.map(quote).join(",")).join(eol)
      expect(read(cut(text, cuts)).records).toEqual(table)
    },
    { fastCheck: { numRuns: 300 } }
  )
})
