import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { joinPhone, makeCampaignDraft, makeLeadDraft } from "../src/index.js"

const campaign = {
  name: "Spring renewals",
  agent_id: "agent_1",
  from_phone_number: "+14155550100",
  max_concurrent_calls: 3,
  retry_config: { max_retries: 2, retry_interval_minutes: 30 }
}

const issues = (e: Either.Either<unknown, { issues: ReadonlyArray<string> }>) => (Either.isLeft(e) ? e.left.issues : [])

describe("campaign drafts", () => {
  it("accepts a documented body and fills defaults", () => {
    const draft = Either.getOrThrow(makeCampaignDraft({ name: " X ", agent_id: "a", from_phone_number: "+14155550100" }))
    expect(draft.name).toBe("X")
    expect(draft.max_concurrent_calls).toBe(1)
    expect(draft.retry_config.max_retries).toBe(0)
  })

  it("max_retries 9 is a typed error naming the field", () => {
    const r = makeCampaignDraft({ ...campaign, retry_config: { max_retries: 9, retry_interval_minutes: 30 } })
    expect(Either.isLeft(r) && r.left._tag).toBe("InvalidInput")
    expect(issues(r)).toEqual(["retry_config.max_retries: must be an integer from 0 to 4"])
  })

  it("an unknown time zone is a typed error with a clear message", () => {
    const r = makeCampaignDraft({
      ...campaign,
      calling_window: { start_time: "09:00", end_time: "17:00", timezone: "Mars/Olympus_Mons" }
    })
    expect(issues(r)).toEqual(['calling_window.timezone: unknown IANA time zone "Mars/Olympus_Mons"'])
  })

  it("reports every problem at once, and unknown fields", () => {
    const r = makeCampaignDraft({ name: "", from_phone_number: "555", max_concurrent_calls: 0, color: "red" })
    const list = issues(r)
    expect(list).toContain("name: must not be empty")
    expect(list).toContain("agent_id: is required")
    expect(list).toContain("from_phone_number: must be an E.164 phone number such as +14155550123")
    expect(list).toContain("max_concurrent_calls: must be an integer from 1 to 100")
    expect(list).toContain("color: is not a known field")
  })
})

describe("lead drafts", () => {
  it("joins countryCode and phoneNumber into E.164", () => {
    const lead = Either.getOrThrow(makeLeadDraft({ phoneNumber: "(415) 555-0123", countryCode: "+1", name: "Ada" }))
    expect(lead.phone_number).toBe("+14155550123")
    expect(lead.name).toBe("Ada")
    expect(lead.notes).toEqual({})
  })

  it("drops a trunk zero after a country code, accepts 00 as +", () => {
    expect(Either.getOrThrow(joinPhone("07700 900123", "44"))).toBe("+447700900123")
    expect(Either.getOrThrow(joinPhone("0033612345678"))).toBe("+33612345678")
  })

  it("a phone that is not E.164 after joining is a typed error", () => {
    expect(issues(makeLeadDraft({ phoneNumber: "12", countryCode: "1" }))).toEqual([
      "phoneNumber 12 is not a valid phone number (E.164: + and 8 to 15 digits)"
    ])
    expect(issues(makeLeadDraft({ phoneNumber: "4155550123" }))[0]).toMatch(/E\.164 form .* or come with a countryCode/)
    expect(issues(makeLeadDraft({ phoneNumber: "+4415550123", countryCode: "1" }))[0]).toMatch(/does not start with countryCode \+1/)
    expect(issues(makeLeadDraft({ phoneNumber: "+14155550123", countryCode: "abc" }))[0]).toMatch(/countryCode must be a dialling code/)
  })

  it("a 16th notes key is a typed error", () => {
    const notes = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i]))
    expect(issues(makeLeadDraft({ phoneNumber: "+14155550123", notes }))).toEqual(["notes: notes may have at most 15 keys, got 16"])
    const fifteen = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, i]))
    expect(Either.isRight(makeLeadDraft({ phoneNumber: "+14155550123", notes: fifteen }))).toBe(true)
  })

  it("note values are strings, numbers or booleans", () => {
    expect(Either.isLeft(makeLeadDraft({ phoneNumber: "+14155550123", notes: { a: { nested: 1 } } }))).toBe(true)
  })
})
