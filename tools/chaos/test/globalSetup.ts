import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * The crash suites start the built processes (`apps/gateway/dist/main.js`, `apps/worker/dist/main.js`,
 * `apps/server/dist/main.js`), as an operator runs them: build them first (incremental). Should
 * the build fail while an older build is there, the suites run on that one, with a warning.
 */
export default function setup() {
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..")
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
  for (const app of ["gateway", "worker", "server"]) {
    try {
      execFileSync(process.execPath, [tsc, "-b", path.join(root, "apps", app, "tsconfig.lib.json")], { stdio: "pipe" })
    } catch (error) {
      const built = path.join(root, "apps", app, "dist", "main.js")
      if (!fs.existsSync(built)) throw error
      const out = (error as { stdout?: Buffer }).stdout?.toString() ?? ""
      process.stderr.write(`[chaos] building apps/${app} failed; the crash suites run the existing ${built}:\n${out.slice(0, 2000)}\n`)
    }
  }
}
