import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The real binary, as `pnpm leadq` runs it. */
export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "dist", "bin.js")

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  /** Extra environment (LEADQ_URL, LEADQ_API_KEY, DATABASE_URL, …). */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/** The environment of the test process, minus anything that would configure the CLI by accident. */
const baseEnv = () => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("LEADQ_") && k !== "DATABASE_URL" && k !== "FORCE_COLOR") env[k] = v
  }
  return env
}

/** Run `leadq …` to its end: exit code, stdout, stderr. */
export const runCli = (args: ReadonlyArray<string>, options: RunOptions = {}) =>
  Effect.async<CliResult>((resume) => {
    const env = { ...baseEnv(), ...options.env } as Record<string, string>
    for (const [k, v] of Object.entries(options.env ?? {})) if (v === undefined) delete env[k]
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d))
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
    child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

/** The JSON values of a `--json` output, one per line. */
export const jsonLines = (stdout: string): Array<Record<string, unknown>> =>
  stdout.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as Record<string, unknown>)

/** A running `leadq …` whose output is read as it comes (for `call-logs follow`). */
export const startCli = (args: ReadonlyArray<string>, options: RunOptions = {}) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const env = { ...baseEnv(), ...options.env } as Record<string, string>
      const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] })
      const state = { stdout: "", stderr: "", code: undefined as number | null | undefined }
      child.stdout.setEncoding("utf8").on("data", (d: string) => (state.stdout += d))
      child.stderr.setEncoding("utf8").on("data", (d: string) => (state.stderr += d))
      const exited = new Promise<number | null>((resolve) => child.on("close", (code) => {
        state.code = code
        resolve(code)
      }))
      return { child, state, exited }
    }),
    ({ child, state }) => Effect.sync(() => {
      if (state.code === undefined) child.kill("SIGKILL")
    })
  )

/** Wait, in real time, until `check` holds (polling). */
export const until = (check: () => boolean, what: string, timeoutMs = 20_000) =>
  Effect.async<void, Error>((resume) => {
    const deadline = Date.now() + timeoutMs
    const timer = setInterval(() => {
      if (check()) {
        clearInterval(timer)
        resume(Effect.void)
      } else if (Date.now() > deadline) {
        clearInterval(timer)
        resume(Effect.fail(new Error(`timed out waiting for ${what}`)))
      }
    }, 25)
    return Effect.sync(() => clearInterval(timer))
  })

/** A port that was free a moment ago, with nobody listening on it now. */
export const closedPort = Effect.async<number>((resume) => {
  const server = net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as net.AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

const tempDirs: Array<string> = []

/** A fresh directory for a test's files; every one is removed by `removeTempDirs` (afterAll). */
export const tempDir = (prefix = "leadq-cli-") => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  tempDirs.push(dir)
  return dir
}

export const removeTempDirs = () => {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
}
