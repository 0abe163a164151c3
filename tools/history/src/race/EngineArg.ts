import type { Engine } from "@leadq/gateway/testing"

/** `--engine` of the tools' scripts: `sqlite` or `pg`; anything else stops the script (exit 2). */
export const engineArg = (value: string | undefined, script: string): Engine => {
  if (value === "sqlite" || value === "pg") return value
  console.error(`${script}: --engine must be sqlite or pg, got "${value}"`)
  return process.exit(2)
}
