import type { Violation } from "../History.js"
import type { Tables } from "../Tables.js"

/** Check 7. Every request with organization B's key on A's ids answered 404; A's rows are byte-for-byte unchanged. */
export const tenantsApart = (t: Tables): ReadonlyArray<Violation> => {
  const tenancy = t.history.tenancy
  if (tenancy === undefined) return []
  const out: Array<Violation> = []
  for (const r of tenancy.requests) {
    if (r.status !== 404) out.push({ check: 7, message: `${r.request} with another organization's key answered ${r.status}, not 404` })
  }
  const ids = new Set([...Object.keys(tenancy.before), ...Object.keys(tenancy.after)])
  for (const id of ids) {
    if (tenancy.before[id] !== tenancy.after[id]) out.push({ check: 7, message: `row ${id} of organization A changed during the probes` })
  }
  return out
}
