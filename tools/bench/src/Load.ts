import * as http from "node:http"

/**
 * A closed-loop load generator: `connections` keep-alive sockets, each sending its next request
 * as soon as the previous answer arrived. Every request target is used once (distinct leads).
 */
export interface LoadResult {
  readonly requests: number
  readonly seconds: number
  readonly perSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly statuses: Record<string, number>
}

export const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

/** One request on `agent`; resolves with the status once the answer has been read. */
export const send = (agent: http.Agent, base: URL, method: string, path: string, headers: Record<string, string>) =>
  new Promise<number>((resolve, reject) => {
    const req = http.request(
      { agent, host: base.hostname, port: base.port, method, path, headers },
      (res) => {
        res.resume()
        res.on("end", () => resolve(res.statusCode ?? 0))
        res.on("error", reject)
      }
    )
    req.on("error", reject)
    req.end()
  })

export const runLoad = async (options: {
  readonly baseUrl: string
  readonly method: string
  readonly paths: ReadonlyArray<string>
  readonly headers: Record<string, string>
  readonly connections: number
}): Promise<LoadResult> => {
  const base = new URL(options.baseUrl)
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections })
  const latencies: Array<number> = []
  const statuses: Record<string, number> = {}
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (next < options.paths.length) {
        const path = options.paths[next++]!
        const t0 = performance.now()
        const status = await send(agent, base, options.method, path, options.headers).catch(() => 0)
        latencies.push(performance.now() - t0)
        statuses[status] = (statuses[status] ?? 0) + 1
      }
    })
  )
  const seconds = (performance.now() - started) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return {
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    statuses
  }
}
