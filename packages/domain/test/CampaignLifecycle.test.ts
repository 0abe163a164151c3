import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { CampaignLifecycle, RetryConfig } from "../src/index.js"

const state = (status: "running" | "paused" | "completed" | "cancelled", has_dialled = false) => ({
  id: "cmp_x",
  status,
  agent_id: "agent_1",
  has_dialled
})

describe("campaign lifecycle", () => {
  it("running ⇄ paused, both may be cancelled", () => {
    expect(CampaignLifecycle.pause(state("running"))).toEqual(Either.right("paused"))
    expect(CampaignLifecycle.resume(state("paused"))).toEqual(Either.right("running"))
    expect(CampaignLifecycle.cancel(state("paused"))).toEqual(Either.right("cancelled"))
    expect(CampaignLifecycle.cancel(state("running"))).toEqual(Either.right("cancelled"))
  })

  it.each(["completed", "cancelled"] as const)("%s is terminal", (status) => {
    for (const r of [CampaignLifecycle.pause(state(status)), CampaignLifecycle.resume(state(status)), CampaignLifecycle.cancel(state(status))]) {
      expect(Either.isLeft(r) && r.left._tag).toBe("CampaignTerminal")
    }
    expect(Either.isLeft(CampaignLifecycle.ensureAcceptsLeads(state(status)))).toBe(true)
  })

  it("completes only a running campaign whose queue drained", () => {
    const drained = { total: 3, pending: 0, calling: 0, calls_in_flight: 0 }
    expect(CampaignLifecycle.completeIfDrained("running", drained)).toBe("completed")
    expect(CampaignLifecycle.completeIfDrained("paused", drained)).toBe("paused")
    expect(CampaignLifecycle.completeIfDrained("running", { ...drained, calls_in_flight: 1 })).toBe("running")
    expect(CampaignLifecycle.completeIfDrained("running", { ...drained, pending: 1 })).toBe("running")
    expect(CampaignLifecycle.completeIfDrained("running", { ...drained, total: 0 })).toBe("running")
  })

  it("agent_id is fixed once calls were made", () => {
    const r = CampaignLifecycle.applyPatch(state("running", true), { agent_id: "agent_2" })
    expect(Either.isLeft(r) && r.left._tag).toBe("InvalidTransition")
    expect(CampaignLifecycle.applyPatch(state("running", false), { agent_id: "agent_2" })).toEqual(Either.right("running"))
    expect(CampaignLifecycle.applyPatch(state("running", true), { agent_id: "agent_1" })).toEqual(Either.right("running"))
  })

  it("a terminal campaign may only be renamed", () => {
    expect(CampaignLifecycle.applyPatch(state("cancelled"), { name: "old" })).toEqual(Either.right("cancelled"))
    const r = CampaignLifecycle.applyPatch(state("completed"), {
      retry_config: new RetryConfig({ max_retries: 1, retry_interval_minutes: 5 })
    })
    expect(Either.isLeft(r) && r.left._tag).toBe("CampaignTerminal")
  })
})
