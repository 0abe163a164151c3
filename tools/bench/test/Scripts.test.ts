import { describe, expect, it } from "@effect/vitest"
import { testEngines } from "@leadq/store/testing"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * A smoke run of every benchmark script at a tiny size (a few hundred requests or leads): each
 * starts its processes (gateways, workers, the CLI, the baseline server), finishes with exit code 0
 * and prints its figures. Nothing here is about speed — the figures are only checked to be there,
 * as numbers. (Issue 14: every script died at start-up on `LOG_LEVEL=Warning` and nothing noticed.)
 * The PostgreSQL runs use the server named by LEADQ_TEST_PG_URL, like every other suite; under
 * CI=true an unreachable server fails the run.
 */
const engines = await testEngines()
const pg = engines.includes("pg")
const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "dist")

interface Smoke {
  readonly script: string
  readonly env: Record<string, string>
  /** Lines every run prints, each with its figure. */
  readonly figures: ReadonlyArray<RegExp>
}

const n = String.raw`\d+(\.\d+)?`
const SCRIPTS: ReadonlyArray<Smoke> = [
  {
    script: "remove-throughput",
    env: { BENCH_LEADS: "300", BENCH_WARMUP: "60", BENCH_ROUNDS: "2", BENCH_CONNECTIONS: "4" },
    figures: [
      new RegExp(`baseline \\(node:http \\+ better-sqlite3\\): ${n} req/s, p50 ${n} ms, p99 ${n} ms`),
      new RegExp(`leadq gateway: +${n} req/s, p50 ${n} ms, p99 ${n} ms`),
      new RegExp(`minimal baseline: +${n} req/s, p50 ${n} ms, p99 ${n} ms`),
      new RegExp(`ratio leadq/baseline: ${n}`),
      new RegExp(`ratio leadq/minimal baseline: ${n}`),
      new RegExp(`server CPU per removal: leadq ${n} µs, baseline ${n} µs, minimal baseline ${n} µs`),
      new RegExp(`gateway RSS: ${n} MiB idle \\(after start, before load\\), peak ${n} MiB`),
      new RegExp(`peak RSS: leadq ${n} MiB, baseline ${n} MiB, minimal baseline ${n} MiB`),
      /records: every removal of leadq and of the baseline has its audit record and its lead.removed event/
    ]
  },
  {
    script: "soak",
    env: { BENCH_SOAK_SECONDS: "5", BENCH_SOAK_WARMUP: "1", BENCH_SOAK_STOCK: "200", BENCH_SOAK_DIAL_RATE: "20" },
    figures: [
      new RegExp(`removals: ${n} \\(${n}/s\\)`),
      new RegExp(`uploads: ${n} \\(${n} rows, 0 refused\\)`),
      new RegExp(`dials: ${n} calls logged`),
      new RegExp(`RSS: start ${n} MiB \\(at ${n} s\\), peak ${n} MiB \\(at ${n} s; VmHWM ${n} MiB\\), end ${n} MiB \\(at ${n} s\\), first minute's max ${n} MiB`),
      /end within 10 % of the first minute's max: (yes|no)/
    ]
  },
  {
    script: "worker-throughput",
    env: {
      BENCH_CONFIGS: pg ? "sqlite:1,pg:1" : "sqlite:1",
      BENCH_LEADS: "200",
      BENCH_CAMPAIGNS: "4",
      BENCH_PACED: "20",
      BENCH_RATE: "100"
    },
    figures: [
      new RegExp(`SQLite, 1 worker process +${n} leads/s \\(${n} s, worker CPU ${n} ms/lead\\) +due→dial p50 ${n} ms, p99 ${n} ms`),
      ...(pg ? [new RegExp(`PostgreSQL, 1 worker process +${n} leads/s`)] : []),
      /SQLite target ≥ 1000 leads\/s: (met|missed)/
    ]
  },
  {
    script: "bulk",
    env: { BENCH_ROWS: "300", BENCH_REMOVE: "100" },
    figures: [
      new RegExp(`upload through the gateway \\(HTTP multipart\\): ${n} s, ${n} rows/s`),
      new RegExp(`upload with the CLI \\(leadq leads upload\\): +${n} s wall`),
      new RegExp(`remove-many of 100 leads \\(CLI, default batches\\): ${n} leads/s by the CLI's clock`),
      new RegExp(`gateway RSS: ${n} MiB after start, peak ${n} MiB after the uploads, peak ${n} MiB overall`)
    ]
  },
  {
    script: "remove-many",
    env: { BENCH_LEADS: "200", BENCH_BATCH: "100", BENCH_CONCURRENCY: "4" },
    figures: [
      new RegExp(`batch +100, +4 in flight: +${n} leads/s \\(removal pass ${n} s\\)`),
      new RegExp(`CPU per removal: CLI ${n} ms, gateway ${n} ms`),
      new RegExp(`gateway peak RSS: ${n} MiB`)
    ]
  },
  {
    script: "webhook-throughput",
    env: {
      BENCH_ENGINES: pg ? "sqlite,pg" : "sqlite",
      BENCH_EVENTS: "40",
      BENCH_ENDPOINTS: "2",
      BENCH_LEADS: "200",
      BENCH_WARMUP: "20",
      BENCH_ROUNDS: "2",
      BENCH_CONNECTIONS: "4"
    },
    figures: [
      new RegExp(`SQLite, 1 endpoint: +${n} events/s delivered \\(40 events`),
      new RegExp(`SQLite, 2 endpoints: ${n} deliveries/s \\(80 = 40 events × 2\\)`),
      ...(pg ? [new RegExp(`PostgreSQL, 1 endpoint: +${n} events/s delivered`), new RegExp(`PostgreSQL, 2 endpoints: ${n} deliveries/s`)] : []),
      new RegExp(`removal, webhooks off: ${n} req/s, p50 ${n} ms, p99 ${n} ms`),
      new RegExp(`removal, webhooks on: +${n} req/s, p50 ${n} ms, p99 ${n} ms`),
      new RegExp(`ratio on/off: ${n}`)
    ]
  },
  ...(pg
    ? [{
      script: "remove-throughput-pg",
      env: { BENCH_LEADS: "300", BENCH_WARMUP: "60", BENCH_ROUNDS: "2", BENCH_CONNECTIONS: "4" },
      figures: [
        new RegExp(`PostgreSQL, bare baseline \\(node:http \\+ pg\\): ${n} req/s, p50 ${n} ms, p99 ${n} ms`),
        new RegExp(`PostgreSQL, one gateway: +${n} req/s, p50 ${n} ms, p99 ${n} ms`),
        new RegExp(`PostgreSQL, two gateways: +${n} req/s, p50 ${n} ms, p99 ${n} ms`),
        new RegExp(`ratio leadq/bare: ${n}`),
        new RegExp(`server CPU per removal: leadq ${n} µs, bare ${n} µs, two gateways ${n} µs`),
        new RegExp(`PostgreSQL backend CPU per removal: leadq ${n} µs, bare ${n} µs, two gateways ${n} µs`),
        new RegExp(`peak RSS: gateway 1 ${n} MiB, gateway 2 ${n} MiB, bare baseline ${n} MiB`),
        /records: \d+ leads removed, as many audit records and lead.removed events/
      ]
    }]
    : [])
]

const run = (script: string, env: Record<string, string>) =>
  new Promise<{ code: number | null; stdout: string; output: string }>((resolve) => {
    const child = spawn(process.execPath, [path.join(dist, `${script}.js`)], {
      env: { ...process.env, NODE_OPTIONS: "", ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let output = ""
    child.stdout.on("data", (d) => {
      stdout += d
      output += d
    })
    child.stderr.on("data", (d) => (output += d))
    child.once("exit", (code) => resolve({ code, stdout, output }))
  })

// Concurrent: the scripts spend most of their time starting processes and waiting on them.
describe.concurrent("every benchmark script, at a tiny size", () => {
  for (const { env, figures, script } of SCRIPTS) {
    it(`${script}: starts its processes, finishes with exit 0, prints its figures`, { timeout: 120_000 }, async () => {
      const { code, output, stdout } = await run(script, env)
      expect(code, output.slice(-4000)).toBe(0)
      for (const figure of figures) expect(stdout, output.slice(-4000)).toMatch(figure)
    })
  }
})
