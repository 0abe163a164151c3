import { execFileSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * The suite runs the real binary, `dist/bin.js`: build it (and what it imports) first, so the
 * tests never run a stale build. Incremental: a no-op when nothing changed.
 */
export default function setup() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc")
  execFileSync(process.execPath, [tsc, "-b", "tsconfig.lib.json"], { cwd: root, stdio: "inherit" })
}
