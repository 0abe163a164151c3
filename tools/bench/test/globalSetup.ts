import { execFileSync } from "node:child_process"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * The smoke run starts the benchmark scripts from their built `dist/`, and they start the built
 * gateway, worker, server (`pnpm start`) and CLI: all of them are built first (incremental:
 * nothing to do when up to date).
 */
export default function setup() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
  const projects = ["apps/gateway", "apps/worker", "apps/server", "apps/cli", "tools/bench"].map((p) => path.join(root, p, "tsconfig.lib.json"))
  execFileSync(process.execPath, [tsc, "-b", ...projects], { stdio: "inherit" })
}
