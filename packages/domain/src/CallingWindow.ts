import { Option, Schema } from "effect"

/**
 * Local hours in which a lead may be called, in an IANA time zone. `start_time` is inclusive,
 * `end_time` exclusive; an `end_time` at or before `start_time` is an overnight window
 * (22:00–06:00) and belongs to the day it opens on. `days` lists the local weekdays on which the
 * window opens (all seven when absent).
 */
export const Weekday = Schema.Literal("sun", "mon", "tue", "wed", "thu", "fri", "sat")
export type Weekday = typeof Weekday.Type
const WEEKDAYS: ReadonlyArray<Weekday> = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

const formatters = new Map<string, Intl.DateTimeFormat>()

const formatterFor = (timeZone: string): Intl.DateTimeFormat | undefined => {
  let f = formatters.get(timeZone)
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        weekday: "short",
        hour: "2-digit",
        minute: "2-digit",
        year: "numeric",
        month: "2-digit",
        day: "2-digit"
      })
    } catch {
      return undefined
    }
    formatters.set(timeZone, f)
  }
  return f
}

/** True when the runtime knows this IANA zone (`Europe/Paris`, `UTC`, …). */
export const isTimeZone = (tz: string): boolean => tz.length > 0 && tz.length <= 64 && formatterFor(tz) !== undefined

export const TimeZone = Schema.String.pipe(
  Schema.filter((tz) => isTimeZone(tz) || `unknown IANA time zone "${tz}"`),
  Schema.brand("TimeZone")
)
export type TimeZone = typeof TimeZone.Type

const LocalTime = Schema.String.pipe(
  Schema.pattern(/^([01]\d|2[0-3]):[0-5]\d$/, { message: () => "must be a local time HH:MM (00:00–23:59)" })
)

export class CallingWindow extends Schema.Class<CallingWindow>("CallingWindow")({
  start_time: LocalTime,
  end_time: LocalTime,
  timezone: TimeZone,
  days: Schema.optional(Schema.Array(Weekday).pipe(Schema.minItems(1)))
}) {}

export interface LocalClock {
  readonly weekday: number // 0 = Sunday
  readonly minutes: number // minutes since local midnight
}

/** The wall clock in `timeZone` at `epochMs`, from the runtime's tz database (DST included). */
export const localClock = (epochMs: number, timeZone: string): LocalClock => {
  const f = formatterFor(timeZone)
  if (f === undefined) throw new RangeError(`unknown time zone ${timeZone}`)
  let weekday = 0
  let hour = 0
  let minute = 0
  for (const part of f.formatToParts(epochMs)) {
    if (part.type === "weekday") weekday = WEEKDAYS.indexOf(part.value.slice(0, 3).toLowerCase() as Weekday)
    else if (part.type === "hour") hour = Number(part.value)
    else if (part.type === "minute") minute = Number(part.value)
  }
  return { weekday, minutes: hour * 60 + minute }
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/**
 * Is `epochMs` inside the window, read in `timeZone` (the lead's zone when it has one, else the
 * window's)? Pure arithmetic on the local wall clock, so the hour that a DST change skips is never
 * inside and the hour it repeats is inside twice, exactly as a person there would see it.
 */
export const isInsideWindow = (window: CallingWindow, epochMs: number, timeZone: string = window.timezone): boolean => {
  const { minutes, weekday } = localClock(epochMs, timeZone)
  const start = toMinutes(window.start_time)
  const end = toMinutes(window.end_time)
  const opensOn = (day: number) => window.days === undefined || window.days.includes(WEEKDAYS[(day + 7) % 7]!)
  if (start < end) return minutes >= start && minutes < end && opensOn(weekday)
  // Overnight: the part after midnight belongs to yesterday's window.
  if (minutes >= start) return opensOn(weekday)
  if (minutes < end) return opensOn(weekday - 1)
  return false
}

/** The zone a lead is called in: a valid `timezone` note of the lead, else the window's zone. */
export const leadTimeZone = (
  window: CallingWindow | null | undefined,
  notes: Readonly<Record<string, unknown>>
): Option.Option<string> => {
  const own = notes["timezone"]
  if (typeof own === "string" && isTimeZone(own)) return Option.some(own)
  return window ? Option.some(window.timezone) : Option.none()
}

/**
 * The first minute boundary at or after `fromMs` that is inside the window, searched up to eight
 * days ahead; none when the window never opens (it always does when `days` is non-empty, but the
 * search is bounded all the same). The worker uses it to sleep instead of polling a closed window.
 */
export const nextOpening = (window: CallingWindow, fromMs: number, timeZone: string = window.timezone): Option.Option<number> => {
  const minute = 60_000
  let t = Math.ceil(fromMs / minute) * minute
  if (isInsideWindow(window, fromMs, timeZone)) return Option.some(fromMs)
  for (let i = 0; i < 8 * 24 * 60; i++, t += minute) {
    if (isInsideWindow(window, t, timeZone)) return Option.some(t)
  }
  return Option.none()
}
