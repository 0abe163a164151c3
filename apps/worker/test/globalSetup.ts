import { execFileSync } from "node:child_process"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * The process tests run the built worker (`node apps/worker/dist/main.js`), so the worker and the
 * libraries under it are built first (incremental: nothing to do when up to date).
 */
export default function setup() {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
  execFileSync(process.execPath, [tsc, "-b", path.join(here, "..", "tsconfig.lib.json")], { stdio: "inherit" })
}
