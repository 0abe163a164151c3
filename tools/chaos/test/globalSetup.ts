import { execFileSync } from "node:child_process"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * The crash suites start the built processes (`apps/gateway/dist/main.js`, `apps/worker/dist/main.js`,
 * `apps/server/dist/main.js`), as an operator runs them: build them first (incremental).
 */
export default function setup() {
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..")
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
  for (const app of ["gateway", "worker", "server"]) {
    execFileSync(process.execPath, [tsc, "-b", path.join(root, "apps", app, "tsconfig.lib.json")], { stdio: "inherit" })
  }
}
