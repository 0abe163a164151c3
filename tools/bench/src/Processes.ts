import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export { freePort } from "@leadq/history/processes"

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")

export interface Running {
  readonly child: ChildProcess
  readonly output: () => string
  /** Peak resident set size so far (VmHWM), in MiB. */
  readonly peakRssMb: () => number
  /** Resident set size now (VmRSS), in MiB. */
  readonly rssMb: () => number
  /** CPU time (user + system) the process has used so far, in seconds. */
  readonly cpuSeconds: () => number
  readonly stop: () => Promise<void>
}

/** A size field of /proc/<pid>/status (VmHWM, VmRSS), in MiB; NaN once the process is gone. */
export const statusMb = (pid: number | undefined, field: "VmHWM" | "VmRSS"): number => {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8")
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024
  } catch {
    return NaN
  }
}

/** Start a Node process of this repository and wait until `url` answers 200. */
export const startProcess = async (
  script: string,
  env: Record<string, string>,
  readyUrl: string,
  args: ReadonlyArray<string> = []
): Promise<Running> => {
  let output = ""
  const nodeArgs = (process.env["BENCH_NODE_ARGS"] ?? "").split(" ").filter((a) => a !== "")
  const child = spawn(process.execPath, [...nodeArgs, path.join(repoRoot, script), ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  child.stdout!.on("data", (d) => (output += d))
  child.stderr!.on("data", (d) => (output += d))
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited early (${child.exitCode}):\n${output}`)
    const ok = await fetch(readyUrl).then((r) => r.ok, () => false)
    if (ok) break
    if (Date.now() > deadline) throw new Error(`${script} did not become ready:\n${output}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    child,
    output: () => output,
    peakRssMb: () => statusMb(child.pid, "VmHWM"),
    rssMb: () => statusMb(child.pid, "VmRSS"),
    cpuSeconds: () => {
      try {
        // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name) are utime and stime.
        const stat = fs.readFileSync(`/proc/${child.pid}/stat`, "utf8")
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
        return (Number(fields[11]) + Number(fields[12])) / 100
      } catch {
        return NaN
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once("exit", () => resolve())
        child.kill("SIGTERM")
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref()
      })
  }
}

/** The built gateway on `port` over `databaseUrl` (warnings only), once `/healthz` answers. */
export const startGateway = (port: number, databaseUrl: string) =>
  startProcess(
    "apps/gateway/dist/main.js",
    { PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: databaseUrl, LOG_LEVEL: "Warning" },
    `http://127.0.0.1:${port}/healthz`
  )
