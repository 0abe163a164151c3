import { execFileSync } from "node:child_process"

/**
 * The local PostgreSQL cluster serving the test database (Debian's `pg_ctlcluster`), found by its
 * port. A restart breaks every connection to it — other test suites' too — so it is only ever
 * done from the `pg-restart` script, never from the test suite.
 */
export interface PgCluster {
  readonly version: string
  readonly name: string
  readonly port: number
}

const clusters = (): ReadonlyArray<PgCluster & { readonly status: string }> =>
  execFileSync("pg_lsclusters", ["--no-header"], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const [version, name, port, status] = l.trim().split(/\s+/)
      return { version: version!, name: name!, port: Number(port), status: status! }
    })

export const findCluster = (port: number): PgCluster => {
  const found = clusters().find((c) => c.port === port)
  if (found === undefined) throw new Error(`no PostgreSQL cluster on port ${port} (pg_lsclusters)`)
  return { version: found.version, name: found.name, port: found.port }
}

export const isOnline = (c: PgCluster) => clusters().some((x) => x.port === c.port && x.status === "online")

const ctl = (c: PgCluster, action: "restart" | "start") =>
  execFileSync("pg_ctlcluster", ["--skip-systemctl-redirect", c.version, c.name, action], { stdio: "pipe", timeout: 120_000 })

/** `pg_ctlcluster --skip-systemctl-redirect <version> <name> restart` (a fast shutdown: connections are cut). */
export const restartCluster = (c: PgCluster) => ctl(c, "restart")

/** Start it again if it is not running, whatever happened: for `finally` and signal handlers. */
export const ensureRunning = (c: PgCluster) => {
  if (!isOnline(c)) ctl(c, "start")
}
