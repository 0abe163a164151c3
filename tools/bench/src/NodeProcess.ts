import type { NodeChild } from "@leadq/history/processes"
import { spawnNode as spawnNodeChild } from "@leadq/history/processes"
import * as fs from "node:fs"
import * as path from "node:path"
import { repoRoot } from "./Processes.js"

/**
 * A Node process of this repository (a built `dist/` entry point) whose output is kept, for the
 * processes that have no HTTP port to wait on (workers, the CLI): wait for a line of its output,
 * or for its exit.
 */
export interface NodeProcess extends NodeChild {
  /** Resolves once the output matches (rejects if the process exits first or the time is up). */
  readonly waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<void>
  /** Peak resident set size so far (VmHWM), in MiB; NaN once the process is gone. */
  readonly peakRssMb: () => number
  /** CPU time used so far (user + system), in ms; NaN once the process is gone. */
  readonly cpuMs: () => number
  /** SIGTERM, then SIGKILL after `graceMs`; resolves on exit. */
  readonly stop: (graceMs?: number) => Promise<void>
}

export const peakRssMbOf = (pid: number | undefined): number => {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8")
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024
  } catch {
    return NaN
  }
}

const TICKS_PER_SECOND = 100

export const cpuMsOf = (pid: number | undefined): number => {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
  } catch {
    return NaN
  }
}

export const spawnNode = (
  script: string,
  env: Record<string, string>,
  args: ReadonlyArray<string> = [],
  nodeArgs: ReadonlyArray<string> = []
): NodeProcess => {
  const node = spawnNodeChild([...nodeArgs, path.resolve(repoRoot, script), ...args], env)
  const { alive, child, output } = node
  return {
    ...node,
    waitFor: async (pattern, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs
      while (!pattern.test(output())) {
        if (!alive()) throw new Error(`${script} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${output()}`)
        if (Date.now() > deadline) throw new Error(`${script} did not print ${pattern} within ${timeoutMs} ms:\n${output()}`)
        await new Promise((r) => setTimeout(r, 50))
      }
    },
    peakRssMb: () => peakRssMbOf(child.pid),
    cpuMs: () => cpuMsOf(child.pid),
    stop: (graceMs = 10_000) => node.stop(graceMs)
  }
}
