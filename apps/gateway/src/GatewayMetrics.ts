import { Effect } from "effect"

/**
 * The gateway's Prometheus metrics, kept in plain maps (a request pays two map updates) and
 * rendered in the text exposition format on `GET /metrics`:
 *
 * - `leadq_http_requests_total{route,method,status}`
 * - `leadq_http_request_duration_seconds{route,method}` (histogram)
 * - `leadq_lead_removals_total{removed_from}`: removals by the state the lead was removed from
 * - `leadq_leads_uploaded_total`, and the process's resident memory and uptime
 */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

interface Histogram {
  readonly counts: Array<number>
  sum: number
  count: number
}

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, "\\\"")

export class GatewayMetrics extends Effect.Service<GatewayMetrics>()("leadq/gateway/GatewayMetrics", {
  sync: () => {
    const startedAt = Date.now()
    const requests = new Map<string, number>()
    const durations = new Map<string, Histogram>()
    const removals = new Map<string, number>()
    let uploaded = 0

    const observeRequest = (route: string, method: string, status: number, seconds: number): void => {
      const key = `route="${escapeLabel(route)}",method="${method}"`
      const counterKey = `${key},status="${status}"`
      requests.set(counterKey, (requests.get(counterKey) ?? 0) + 1)
      let h = durations.get(key)
      if (h === undefined) durations.set(key, h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 })
      for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) h.counts[i]!++
      h.sum += seconds
      h.count++
    }

    const countRemoval = (removedFrom: string): void => {
      removals.set(removedFrom, (removals.get(removedFrom) ?? 0) + 1)
    }

    const countUploaded = (n: number): void => {
      uploaded += n
    }

    const render = (): string => {
      const out: Array<string> = []
      out.push("# HELP leadq_http_requests_total HTTP requests answered, by route pattern, method and status.")
      out.push("# TYPE leadq_http_requests_total counter")
      for (const [k, v] of requests) out.push(`leadq_http_requests_total{${k}} ${v}`)
      out.push("# HELP leadq_http_request_duration_seconds Time from request to response, by route pattern and method.")
      out.push("# TYPE leadq_http_request_duration_seconds histogram")
      for (const [k, h] of durations) {
        BUCKETS.forEach((b, i) => out.push(`leadq_http_request_duration_seconds_bucket{${k},le="${b}"} ${h.counts[i]}`))
        out.push(`leadq_http_request_duration_seconds_bucket{${k},le="+Inf"} ${h.count}`)
        out.push(`leadq_http_request_duration_seconds_sum{${k}} ${h.sum}`)
        out.push(`leadq_http_request_duration_seconds_count{${k}} ${h.count}`)
      }
      out.push("# HELP leadq_lead_removals_total Leads removed, by the state they were removed from.")
      out.push("# TYPE leadq_lead_removals_total counter")
      for (const [k, v] of removals) out.push(`leadq_lead_removals_total{removed_from="${escapeLabel(k)}"} ${v}`)
      out.push("# HELP leadq_leads_uploaded_total Leads created by CSV uploads.")
      out.push("# TYPE leadq_leads_uploaded_total counter")
      out.push(`leadq_leads_uploaded_total ${uploaded}`)
      out.push("# HELP process_resident_memory_bytes Resident memory of the gateway process.")
      out.push("# TYPE process_resident_memory_bytes gauge")
      out.push(`process_resident_memory_bytes ${process.memoryUsage.rss()}`)
      out.push("# HELP process_uptime_seconds Seconds since this gateway started.")
      out.push("# TYPE process_uptime_seconds gauge")
      out.push(`process_uptime_seconds ${(Date.now() - startedAt) / 1000}`)
      return out.join("\n") + "\n"
    }

    return { observeRequest, countRemoval, countUploaded, render }
  }
}) {}
