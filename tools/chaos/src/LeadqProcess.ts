import type { NodeChild } from "@leadq/history/processes"
import { spawnNode } from "@leadq/history/processes"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export { freePort } from "@leadq/history/processes"

/** The repository's root, from `tools/chaos/{src,dist}/`. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..")

/** The built entry points, as an operator runs them (`pnpm gateway`, `pnpm worker`, `pnpm start`). */
export const ENTRY = {
  gateway: "apps/gateway/dist/main.js",
  worker: "apps/worker/dist/main.js",
  server: "apps/server/dist/main.js"
} as const
export type EntryName = keyof typeof ENTRY

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * One incarnation of a leadq process started from its built `dist/` entry point, its output kept
 * for a failure report. `kill9` is the crash (SIGKILL: no finalizer, no flush, no goodbye).
 */
export interface LeadqProcess extends NodeChild {
  readonly name: string
  /** Waits until `GET url` answers 200 (for a gateway or server). */
  readonly waitHealthy: (url: string, timeoutMs?: number) => Promise<void>
  /** Waits until the output matches (a worker's "worker starting"). */
  readonly waitOutput: (pattern: RegExp, timeoutMs?: number) => Promise<void>
  readonly kill9: () => Promise<void>
  /** SIGTERM, SIGKILL after `graceMs`. */
  readonly stop: (graceMs?: number) => Promise<void>
}

export const startLeadqProcess = (name: string, entry: EntryName, env: Record<string, string>): LeadqProcess => {
  const node = spawnNode([path.join(REPO_ROOT, ENTRY[entry])], { LOG_LEVEL: "Info", ...env }, { cwd: REPO_ROOT })
  const { alive, child, exited, output } = node
  const gone = (what: string) => new Error(`${name} (${entry}) exited (${child.exitCode ?? child.signalCode}) before ${what}:\n${output().slice(-4000)}`)
  return {
    ...node,
    name,
    waitHealthy: async (url, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        if (!alive()) throw gone(`answering ${url}`)
        const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false)
        if (ok) return
        if (Date.now() > deadline) throw new Error(`${name} did not answer ${url} within ${timeoutMs} ms:\n${output().slice(-4000)}`)
        await sleep(50)
      }
    },
    waitOutput: async (pattern, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs
      while (!pattern.test(output())) {
        if (!alive()) throw gone(`printing ${pattern}`)
        if (Date.now() > deadline) throw new Error(`${name} did not print ${pattern} within ${timeoutMs} ms:\n${output().slice(-4000)}`)
        await sleep(50)
      }
    },
    kill9: async () => {
      if (!alive()) return
      child.kill("SIGKILL")
      await exited
    },
    stop: (graceMs = 15_000) => node.stop(graceMs)
  }
}
