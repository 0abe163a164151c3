import { Effect } from "effect"
import { execFileSync, spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

/** The gateway as `pnpm gateway` runs it. */
export const GATEWAY_MAIN = path.join(appDir, "dist", "main.js")

/** What `pnpm gateway` does first; quick when nothing changed. */
export const buildGateway = () =>
  execFileSync(path.join(appDir, "node_modules", ".bin", "tsc"), ["-b", "tsconfig.lib.json"], { cwd: appDir, stdio: "inherit" })

/** The built `dist/main.js` running as a real process. */
export interface GatewayProcess {
  readonly child: ChildProcess
  readonly baseUrl: string
  readonly stdout: () => string
  readonly exited: Promise<number | null>
}

/** Starts the gateway on a free port of 127.0.0.1 with this environment; done once it listens. */
export const startGateway = (env: Record<string, string>) =>
  Effect.promise(() =>
    new Promise<GatewayProcess>((resolve, reject) => {
      const child = spawn(process.execPath, [GATEWAY_MAIN], {
        env: { ...process.env, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "Info", ...env },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let out = ""
      const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)))
      child.stdout!.on("data", (d) => {
        out += d
        const port = /Listening on http:\/\/[^:]+:(\d+)/.exec(out)?.[1]
        if (port !== undefined) resolve({ child, baseUrl: `http://127.0.0.1:${port}`, stdout: () => out, exited })
      })
      child.stderr!.on("data", (d) => (out += d))
      void exited.then((code) => reject(new Error(`gateway exited (${code}) before listening:\n${out}`)))
      setTimeout(() => reject(new Error(`gateway did not start:\n${out}`)), 30_000)
    })
  )

/** SIGTERM, and its exit code. */
export const stopGateway = (running: GatewayProcess) =>
  Effect.promise(() => {
    running.child.kill("SIGTERM")
    return running.exited
  })

/** The demo organization's key, printed once by the first start on an empty database. */
export const demoKeyOf = (running: GatewayProcess): string | undefined =>
  /LEADQ_API_KEY=(lq_[0-9a-z]+_[0-9a-z]+)/.exec(running.stdout())?.[1]
