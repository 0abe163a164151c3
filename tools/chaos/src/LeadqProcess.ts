import type { ChildProcess } from "node:child_process"
import { spawn } from "node:child_process"
import * as net from "node:net"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The repository's root, from `tools/chaos/{src,dist}/`. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..")

/** The built entry points, as an operator runs them (`pnpm gateway`, `pnpm worker`, `pnpm start`). */
export const ENTRY = {
  gateway: "apps/gateway/dist/main.js",
  worker: "apps/worker/dist/main.js",
  server: "apps/server/dist/main.js"
} as const
export type EntryName = keyof typeof ENTRY

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
    server.on("error", reject)
  })

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * One incarnation of a leadq process started from its built `dist/` entry point, its output kept
 * for a failure report. `kill9` is the crash (SIGKILL: no finalizer, no flush, no goodbye).
 */
export interface LeadqProcess {
  readonly name: string
  readonly child: ChildProcess
  readonly output: () => string
  readonly alive: () => boolean
  readonly exited: Promise<void>
  /** Waits until `GET url` answers 200 (for a gateway or server). */
  readonly waitHealthy: (url: string, timeoutMs?: number) => Promise<void>
  /** Waits until the output matches (a worker's "worker starting"). */
  readonly waitOutput: (pattern: RegExp, timeoutMs?: number) => Promise<void>
  readonly kill9: () => Promise<void>
  /** SIGTERM, SIGKILL after `graceMs`. */
  readonly stop: (graceMs?: number) => Promise<void>
}

export const startLeadqProcess = (name: string, entry: EntryName, env: Record<string, string>): LeadqProcess => {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, ENTRY[entry])], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: "", LOG_LEVEL: "Info", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let out = ""
  child.stdout!.on("data", (b: Buffer) => (out += b.toString("utf8")))
  child.stderr!.on("data", (b: Buffer) => (out += b.toString("utf8")))
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()))
  const alive = () => child.exitCode === null && child.signalCode === null
  const gone = (what: string) => new Error(`${name} (${entry}) exited (${child.exitCode ?? child.signalCode}) before ${what}:\n${out.slice(-4000)}`)
  return {
    name,
    child,
    output: () => out,
    alive,
    exited,
    waitHealthy: async (url, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        if (!alive()) throw gone(`answering ${url}`)
        const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false)
        if (ok) return
        if (Date.now() > deadline) throw new Error(`${name} did not answer ${url} within ${timeoutMs} ms:\n${out.slice(-4000)}`)
        await sleep(50)
      }
    },
    waitOutput: async (pattern, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs
      while (!pattern.test(out)) {
        if (!alive()) throw gone(`printing ${pattern}`)
        if (Date.now() > deadline) throw new Error(`${name} did not print ${pattern} within ${timeoutMs} ms:\n${out.slice(-4000)}`)
        await sleep(50)
      }
    },
    kill9: async () => {
      if (!alive()) return
      child.kill("SIGKILL")
      await exited
    },
    stop: async (graceMs = 15_000) => {
      if (!alive()) return
      child.kill("SIGTERM")
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs)
      await exited
      clearTimeout(timer)
    }
  }
}
