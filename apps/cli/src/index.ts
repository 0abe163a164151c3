/** The `leadq` command tree (run by `bin.ts`), for embedding it in another program or a test. */
export { cli, VERSION } from "./Cli.js"
export { parseOptOutList } from "./OptOutFile.js"
export type { Entry, InvalidLine, OptOutList } from "./OptOutFile.js"
