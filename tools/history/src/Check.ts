import { callsNotCut } from "./checks/CallsNotCut.js"
import { crashesHeal } from "./checks/CrashesHeal.js"
import { noDialAfterRemoval } from "./checks/NoDialAfterRemoval.js"
import { noDialOfSuppressed } from "./checks/NoDialOfSuppressed.js"
import { noDoubleDial } from "./checks/NoDoubleDial.js"
import { noLostLog } from "./checks/NoLostLog.js"
import { pacingHolds } from "./checks/PacingHolds.js"
import { slotsDoNotMove } from "./checks/SlotsDoNotMove.js"
import { tenantsApart } from "./checks/TenantsApart.js"
import type { History, Violation } from "./History.js"
import { CHECK_NAMES } from "./History.js"
import { tablesOf } from "./Tables.js"

/** Every check of docs/history-checks.md over one history; an empty list is a pass. Pure and deterministic. */
export const checkHistory = (history: History): ReadonlyArray<Violation> => {
  const tables = tablesOf(history)
  return [
    ...noDialAfterRemoval(tables),
    ...noDoubleDial(tables),
    ...noLostLog(tables),
    ...callsNotCut(tables),
    ...slotsDoNotMove(tables),
    ...crashesHeal(tables),
    ...tenantsApart(tables),
    ...pacingHolds(tables),
    ...noDialOfSuppressed(tables)
  ]
}

/** The violations as a report a person can act on, with the seed to replay the run. */
export const formatViolations = (history: History, violations: ReadonlyArray<Violation>): string =>
  violations.length === 0
    ? "0 violations"
    : [
      `${violations.length} violation(s)` + (history.seed === undefined ? "" : ` — replay with seed ${history.seed}`),
      ...violations.map((v) =>
        `  [${v.check}. ${CHECK_NAMES[v.check]}] ${v.message}` +
        [v.campaign_id && ` campaign=${v.campaign_id}`, v.lead_id && ` lead=${v.lead_id}`, v.call_id && ` call=${v.call_id}`]
          .filter(Boolean)
          .join("")
      )
    ].join("\n")
