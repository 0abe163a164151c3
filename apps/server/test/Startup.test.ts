import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * `pnpm start`'s process (`apps/server/dist/main.js`) reads LOG_LEVEL with the same parser as the
 * gateway and the worker (issue 14): `Warning` starts it; a wrong value stops it with exit code 1,
 * one line naming the variable and the accepted names, before the database is created.
 */
const main = fileURLToPath(new URL("../dist/main.js", import.meta.url))

const run = (env: Record<string, string>, untilHealthyOn?: number) =>
  new Promise<{ code: number | null; out: string; healthy: boolean }>((resolve) => {
    const child = spawn(process.execPath, [main], { env: { ...process.env, HOST: "127.0.0.1", ...env }, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let healthy = false
    child.stdout.on("data", (d) => (out += d))
    child.stderr.on("data", (d) => (out += d))
    child.once("exit", (code) => resolve({ code, out, healthy }))
    if (untilHealthyOn !== undefined) {
      const poll = async () => {
        for (let i = 0; i < 300 && child.exitCode === null; i++) {
          if (await fetch(`http://127.0.0.1:${untilHealthyOn}/healthz`).then((r) => r.ok, () => false)) {
            healthy = true
            break
          }
          await new Promise((r) => setTimeout(r, 100))
        }
        child.kill("SIGTERM")
      }
      void poll()
    }
  })

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })

describe("pnpm start: LOG_LEVEL", () => {
  it("Warning: starts, serves, logs nothing at Info, exits 0 on SIGTERM", { timeout: 60_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leadq-start-level-"))
    try {
      const port = await freePort()
      const r = await run({ PORT: String(port), DATABASE_URL: `sqlite:${path.join(dir, "leadq.db")}`, LOG_LEVEL: "Warning" }, port)
      expect(r.healthy, r.out).toBe(true)
      expect(r.code).toBe(0)
      expect(r.out).toContain("LEADQ_API_KEY=")
      expect(r.out).not.toContain("Listening on")
      expect(r.out).not.toContain("worker starting")
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("a wrong value: exit 1, one line naming LOG_LEVEL and the accepted names, no database created", { timeout: 60_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leadq-start-level-"))
    try {
      const r = await run({ PORT: "0", DATABASE_URL: `sqlite:${path.join(dir, "leadq.db")}`, LOG_LEVEL: "loud" })
      expect(r.code).toBe(1)
      const lines = r.out.split("\n").filter((l) => l.includes("Invalid configuration"))
      expect(lines).toHaveLength(1)
      // Checked by the gateway's settings and the worker's: reported once.
      expect(lines[0]!.split("Invalid data at LOG_LEVEL").length - 1).toBe(1)
      expect(lines[0]).toMatch(/LOG_LEVEL must be one of All, Trace, Debug, Info, Warning, Error, Fatal, None.*got \\?"loud/)
      expect(r.out).not.toContain("LEADQ_API_KEY")
      expect(fs.existsSync(path.join(dir, "leadq.db"))).toBe(false)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
