import type { ChildProcess } from "node:child_process"
import { spawn } from "node:child_process"
import * as net from "node:net"

/**
 * The process plumbing the tools share (the race's workers here, the chaos suites' leadq
 * processes, the benchmarks' workers and gateways): one copy, so a fix to how a child is stopped
 * or its output kept reaches every suite.
 */

/** A TCP port free on 127.0.0.1 now (the OS picks it; closed again before it is handed out). */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
    server.on("error", reject)
  })

/** A Node child process whose output (stdout and stderr, as they come) is kept. */
export interface NodeChild {
  readonly child: ChildProcess
  /** Everything it printed so far. */
  readonly output: () => string
  /** Resolves on exit, with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>
  readonly alive: () => boolean
  /** SIGTERM, then SIGKILL after `graceMs`; resolves on exit. */
  readonly stop: (graceMs: number) => Promise<void>
}

/**
 * `node <args>` with `env` over the parent's environment. NODE_OPTIONS is emptied first: the
 * parent's (a test runner's loaders) must not leak into a built `dist/` entry point.
 */
export const spawnNode = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  options: { readonly cwd?: string } = {}
): NodeChild => {
  const child = spawn(process.execPath, args, {
    ...options,
    env: { ...process.env, NODE_OPTIONS: "", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let out = ""
  child.stdout!.on("data", (b: Buffer) => (out += b.toString("utf8")))
  child.stderr!.on("data", (b: Buffer) => (out += b.toString("utf8")))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const alive = () => child.exitCode === null && child.signalCode === null
  return {
    child,
    output: () => out,
    exited,
    alive,
    stop: async (graceMs) => {
      if (!alive()) return
      child.kill("SIGTERM")
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs)
      await exited
      clearTimeout(timer)
    }
  }
}
