import { spawn } from "node:child_process"
import * as path from "node:path"
import { repoRoot } from "./Processes.js"

/** The built CLI, as `pnpm leadq` runs it. */
const CLI = path.join(repoRoot, "apps/cli/dist/bin.js")

/** One run of the CLI: its exit code, what it printed, and the wall time around the whole process. */
export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly wallMs: number
}

/** `leadq <args>` with `env` over this process's environment, timed from spawn to close. */
export const leadq = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<CliRun>((resolve) => {
    const started = performance.now()
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("close", (code) => resolve({ code, stdout, stderr, wallMs: performance.now() - started }))
  })

/** `leadq <args>`, failing unless it exits 0. */
export const leadqOk = async (args: ReadonlyArray<string>, env: Record<string, string>) => {
  const run = await leadq(args, env)
  if (run.code !== 0) throw new Error(`leadq ${args.join(" ")} exited ${run.code}:\n${run.stderr}`)
  return run
}
