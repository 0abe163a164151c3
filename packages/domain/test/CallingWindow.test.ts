import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"
import { CallingWindow, isInsideWindow, isTimeZone, leadTimeZone, localClock, nextOpening, TimeZone } from "../src/index.js"
import { Schema } from "effect"

const window = (start: string, end: string, timezone: string, days?: Array<"sun" | "mon" | "tue" | "wed" | "thu" | "fri" | "sat">) =>
  new CallingWindow({ start_time: start, end_time: end, timezone: Schema.decodeSync(TimeZone)(timezone), ...(days ? { days } : {}) })

const at = (iso: string) => Date.parse(iso)

describe("calling windows", () => {
  it("reads local hours in the window's zone", () => {
    const w = window("09:00", "17:00", "America/New_York")
    expect(isInsideWindow(w, at("2026-06-01T12:59:00Z"))).toBe(false) // 08:59 EDT
    expect(isInsideWindow(w, at("2026-06-01T13:00:00Z"))).toBe(true) // 09:00 EDT
    expect(isInsideWindow(w, at("2026-06-01T20:59:00Z"))).toBe(true) // 16:59 EDT
    expect(isInsideWindow(w, at("2026-06-01T21:00:00Z"))).toBe(false) // 17:00 EDT, end exclusive
  })

  it("follows the spring-forward DST edge (America/New_York, 2026-03-08)", () => {
    const w = window("09:00", "17:00", "America/New_York")
    // Saturday 09:00 EST is 14:00Z; on Sunday, after the change, 09:00 EDT is 13:00Z.
    expect(isInsideWindow(w, at("2026-03-07T13:30:00Z"))).toBe(false) // 08:30 EST
    expect(isInsideWindow(w, at("2026-03-08T13:30:00Z"))).toBe(true) // 09:30 EDT
    // The hour that does not exist is never inside a window covering it.
    const night = window("02:00", "03:00", "America/New_York")
    const minutes = Array.from({ length: 180 }, (_, i) => at("2026-03-08T06:00:00Z") + i * 60_000)
    expect(minutes.some((t) => isInsideWindow(night, t))).toBe(false)
  })

  it("follows the fall-back DST edge (Europe/Paris, 2026-10-25): the repeated hour counts twice", () => {
    const w = window("02:00", "03:00", "Europe/Paris")
    const inside = Array.from({ length: 240 }, (_, i) => at("2026-10-24T23:00:00Z") + i * 60_000).filter((t) => isInsideWindow(w, t))
    expect(inside.length).toBe(120)
  })

  it("overnight windows belong to the day they open on", () => {
    const w = window("22:00", "06:00", "UTC", ["fri"])
    expect(isInsideWindow(w, at("2026-11-27T23:00:00Z"))).toBe(true) // Friday 23:00
    expect(isInsideWindow(w, at("2026-11-28T05:59:00Z"))).toBe(true) // Saturday 05:59, Friday's window
    expect(isInsideWindow(w, at("2026-11-28T23:00:00Z"))).toBe(false) // Saturday 23:00
  })

  it("weekdays are local weekdays", () => {
    const w = window("00:00", "23:59", "Asia/Tokyo", ["mon"])
    // Sunday 20:00Z is already Monday 05:00 in Tokyo.
    expect(isInsideWindow(w, at("2026-11-29T20:00:00Z"))).toBe(true)
    expect(localClock(at("2026-11-29T20:00:00Z"), "Asia/Tokyo").weekday).toBe(1)
  })

  it("a lead's own timezone note overrides the window's zone", () => {
    const w = window("09:00", "17:00", "America/New_York")
    expect(leadTimeZone(w, { timezone: "Europe/Berlin" })).toEqual(Option.some("Europe/Berlin"))
    expect(leadTimeZone(w, { timezone: "Nowhere/Land" })).toEqual(Option.some("America/New_York"))
    expect(leadTimeZone(null, {})).toEqual(Option.none())
    expect(isInsideWindow(w, at("2026-06-01T08:00:00Z"), "Europe/Berlin")).toBe(true) // 10:00 in Berlin
  })

  it("finds the next opening", () => {
    const w = window("09:00", "17:00", "UTC", ["mon"])
    expect(nextOpening(w, at("2026-11-26T10:00:00Z"))).toEqual(Option.some(at("2026-11-30T09:00:00Z")))
  })

  it("knows which zones exist", () => {
    expect(isTimeZone("Europe/Paris")).toBe(true)
    expect(isTimeZone("UTC")).toBe(true)
    expect(isTimeZone("Europe/Atlantis")).toBe(false)
    expect(isTimeZone("")).toBe(false)
  })
})
