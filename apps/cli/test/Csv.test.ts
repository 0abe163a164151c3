import { describe, expect, it } from "@effect/vitest"
import { csvField, csvLine } from "../src/Csv.js"

describe("CSV cells of an export", () => {
  it("RFC 4180: commas, quotes and line breaks are quoted, quotes doubled; null is empty", () => {
    expect(csvLine(["a,b", "say \"hi\"", "two\nlines", null, 3, true])).toBe("\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,3,true")
  })

  it("a cell a spreadsheet would run as a formula gets a single quote in front", () => {
    expect(csvField("=HYPERLINK(\"http://evil.example\",\"click\")")).toBe("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\"")
    expect(csvField("+cmd|' /C calc'!A0")).toBe("'+cmd|' /C calc'!A0")
    expect(csvField("-2+3+cmd|' /C calc'!A0")).toBe("'-2+3+cmd|' /C calc'!A0")
    expect(csvField("@SUM(1+1)*cmd|' /C calc'!A0")).toBe("'@SUM(1+1)*cmd|' /C calc'!A0")
    expect(csvField("\t=1+1")).toBe("'\t=1+1")
    expect(csvField("\r=1+1")).toBe("\"'\r=1+1\"")
  })

  it("a plain number runs nothing and is left as it is: an E.164 number, a signed count", () => {
    expect(csvLine(["+14155550123", "-1", "+2.5", "42", "opted out - by phone", "a=b"])).toBe("+14155550123,-1,+2.5,42,opted out - by phone,a=b")
  })
})
