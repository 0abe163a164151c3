import type { FuzzRequest } from "./FuzzRequest.js"
import type { Operation } from "./OpenApi.js"
import type { Organization } from "./FuzzTarget.js"

/**
 * Check 7 of docs/history-checks.md for every endpoint: organization B's key on organization A's ids.
 * Every operation that names a resource — in its path, its body, or a list filter — is tried with
 * each of A's ids of that kind. Naming one must answer 404 (never 403: that would confirm it
 * exists); a list filtered on A's ids must show none of A's rows.
 */
export interface TenancyProbe {
  readonly request: FuzzRequest
  /**
   * `404`: the request names A's resource. `no-leak`: a list; none of A's ids may appear in it.
   * `each-not-found`: a bulk request naming A's leads; a 404, or a 200 answering every entry
   * `not_found` with no lead behind it.
   */
  readonly expect: "404" | "no-leak" | "each-not-found"
}

/** Whether a bulk answer treats every entry as unknown (`{results: [{outcome, lead_id}]}`). */
export const eachNotFound = (body: unknown): boolean => {
  const results = (body as { results?: unknown } | null)?.results
  return Array.isArray(results) && results.length > 0 &&
    results.every((r) => (r as { outcome?: unknown }).outcome === "not_found" && (r as { lead_id?: unknown }).lead_id === null)
}

const json = (key: string, method: string, path: string, body?: unknown): FuzzRequest => ({
  operation: "",
  method,
  path,
  headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
  body: body === undefined ? undefined : Buffer.from(JSON.stringify(body))
})

const csvUpload = (key: string, path: string): FuzzRequest => {
  const boundary = "tenancyprobe"
  return {
    operation: "",
    method: "POST",
    path,
    headers: { authorization: `Bearer ${key}`, "content-type": `multipart/form-data; boundary=${boundary}` },
    body: Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="leads.csv"\r\nContent-Type: text/csv\r\n\r\n` +
        `phone_number,name\n+14155559876,Stolen\n\r\n--${boundary}--\r\n`
    )
  }
}

/** What each operation's body says when it is otherwise right: only the tenancy can refuse it. */
const rightBody = (op: Operation, a: Organization): unknown => {
  switch (op.id) {
    case "campaigns.update":
      return { status: "paused", name: "stolen" }
    case "leads.update":
      return { name: "stolen" }
    case "leads.create":
      return { campaignId: a.campaigns[a.campaigns.length - 1], phoneNumber: "+14155559876" }
    default:
      return undefined
  }
}

export const tenancyProbes = (operations: ReadonlyArray<Operation>, a: Organization, intruderKey: string): ReadonlyArray<TenancyProbe> => {
  const out: Array<TenancyProbe> = []
  for (const op of operations) {
    if (!op.secured) continue
    const pathParams = op.parameters.filter((p) => p.in === "path")
    // Creating a suppression names nothing of another organization's (like creating a campaign).
    if (op.id === "suppressions.create" || op.id === "suppressions.upload") continue
    const ids = op.path.startsWith("/v1/suppressions/")
      ? a.suppressions.map(encodeURIComponent)
      : op.path.startsWith("/v1/campaigns-leads/upload-file/") || op.path.startsWith("/v1/call-logs/campaign/") || op.path.startsWith("/v1/campaigns/")
      ? a.campaigns
      : op.path.startsWith("/v1/campaigns-leads/")
      ? a.leads
      : op.path.startsWith("/v1/call-logs/")
      ? a.callLogs
      : []
    const tag = (r: FuzzRequest): FuzzRequest => ({ ...r, operation: op.id })
    if (pathParams.length > 0) {
      for (const id of ids) {
        const path = op.path.replace(/\{[^}]+\}/, id)
        const request = op.body.kind === "multipart" ? csvUpload(intruderKey, path) : json(intruderKey, op.method, path, rightBody(op, a))
        out.push({ request: tag(request), expect: "404" })
      }
      continue
    }
    // A bulk body naming leads by id, or a campaign with phone numbers (bulk removal).
    const bodyProps = op.body.kind === "json" ? ((op.body.schema["properties"] ?? {}) as Record<string, unknown>) : {}
    if ("lead_ids" in bodyProps || "phone_numbers" in bodyProps) {
      if ("lead_ids" in bodyProps) {
        out.push({ request: tag(json(intruderKey, op.method, op.path, { lead_ids: a.leads.slice(0, 1_000) })), expect: "each-not-found" })
      }
      if ("phone_numbers" in bodyProps && "campaign_id" in bodyProps) {
        for (const c of a.campaigns) {
          out.push({ request: tag(json(intruderKey, op.method, op.path, { campaign_id: c, phone_numbers: ["+14155559876"] })), expect: "404" })
        }
      }
      continue
    }
    if (op.id === "leads.create") {
      for (const c of a.campaigns) out.push({ request: tag(json(intruderKey, "POST", op.path, { ...(rightBody(op, a) as object), campaignId: c })), expect: "404" })
      continue
    }
    // Lists: filtered on A's ids wherever a filter takes one.
    const filters = op.parameters.filter((p) => p.in === "query" && (p.name === "campaign_id" || p.name === "lead_id"))
    for (const f of filters) {
      for (const id of f.name === "campaign_id" ? a.campaigns : a.leads) {
        out.push({ request: tag(json(intruderKey, op.method, `${op.path}?${f.name}=${id}`)), expect: "no-leak" })
      }
    }
    if (op.method === "GET") out.push({ request: tag(json(intruderKey, op.method, op.path)), expect: "no-leak" })
  }
  return out
}
