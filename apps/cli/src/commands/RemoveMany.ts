import * as FileSystem from "@effect/platform/FileSystem"
import { MAX_BULK_REMOVAL } from "@leadq/domain"
import { LeadqClient } from "@leadq/transport"
import { Data, Effect, Option } from "effect"
import * as path from "node:path"
import type { ConnectionFlags } from "../Connection.js"
import { given, withGateway } from "../Gateway.js"
import { parseOptOutList } from "../OptOutFile.js"
import type { OutputService } from "../Output.js"
import { count, Output } from "../Output.js"
import { progressBar } from "../Progress.js"
import type { FailedEntry, Tally } from "../RemoveMany.js"
import { emptyTally, removedTotal, removeMany } from "../RemoveMany.js"
import { UsageError } from "../UsageError.js"

export interface RemoveManyFlags extends ConnectionFlags {
  readonly file: string
  readonly campaign: Option.Option<string>
  readonly countryCode: Option.Option<string>
  readonly concurrency: number
  readonly batchSize: number
  readonly failures: Option.Option<string>
  readonly reason: Option.Option<string>
}

/** `optout.txt` → `optout.txt.failures`, next to it. */
export const defaultFailuresPath = (input: string) => `${input}.failures`

const failuresFileText = (failures: ReadonlyArray<FailedEntry>, input: string, campaign: string | undefined, at: Date) => {
  const phones = failures.some((f) => !f.value.startsWith("lead_"))
  const again = `leadq leads remove-many --file <this file>${phones && campaign !== undefined ? ` --campaign ${campaign}` : ""}`
  const header = [
    `# leadq leads remove-many --file ${input}, ${at.toISOString()}: ${failures.length} entries not removed.`,
    `# Feed this file back to try them again (comments are ignored): ${again}`
  ]
  return [...header, ...failures.map((f) => `${f.value}  # ${f.kind}: ${f.why.replace(/[\r\n]+/g, " ")}`)].join("\n") + "\n"
}

interface Report {
  readonly tally: Tally
  readonly entries: number
  readonly duplicates: number
  readonly elapsedMs: number
  readonly interrupted: boolean
  readonly failuresFile: string | undefined
}

const printReport = (output: OutputService, report: Report) =>
  Effect.gen(function*() {
    const t = report.tally
    const removed = removedTotal(t)
    const rate = report.elapsedMs > 0 ? Math.round((removed * 1000) / report.elapsedMs) : 0
    if (output.json) {
      return yield* output.jsonLine({
        entries: report.entries,
        duplicates: report.duplicates,
        removed: { total: removed, ...t.removed },
        calls_in_progress: t.callsInProgress,
        already_removed: t.alreadyRemoved,
        not_found: t.notFound,
        refused: t.refused,
        errors: t.errors,
        retries: t.retries,
        interrupted: report.interrupted,
        failures: t.failures.length,
        failures_file: report.failuresFile ?? null,
        elapsed_ms: Math.round(report.elapsedMs),
        removed_per_second: rate
      })
    }
    const p = output.paint
    const seconds = (report.elapsedMs / 1000).toFixed(1)
    const plural = (n: number, one: string, many: string) => `${count(n)} ${n === 1 ? one : many}`
    yield* output.line(
      `${report.interrupted ? p.yellow("Interrupted. ") : ""}${plural(report.entries, "entry", "entries")} in ${seconds} s` +
        (removed > 0 ? `, ${count(rate)} removals/s.` : ".")
    )
    const byState = `pending ${count(t.removed.pending)} · claimed ${count(t.removed.claimed)} · in call ${count(t.removed.in_call)} · called ${count(t.removed.called)}`
    yield* output.table(["", "LEADS", ""], [
      ["removed", count(removed), byState],
      ["already removed", count(t.alreadyRemoved), "removed before this run (or during it, by someone else)"],
      ["not found", count(t.notFound), "no such lead id in this organization, or no lead with that number in the campaign"],
      ["refused", count(t.refused), "its campaign is completed or cancelled: not removed, and it will not be dialled"],
      ["errors", count(t.errors), t.errors === 0 ? "" : "not removed: see the failures file, and run it again"],
      ...(report.duplicates > 0 ? [["duplicates", count(report.duplicates), "lines repeating an earlier one, skipped"]] : [])
    ].map((row) => [row[0]!, row[1]!, p.dim(row[2]!)]))
    if (t.retries > 0) {
      yield* output.line(
        `${plural(t.retries, "request was", "requests were")} sent again after a lost answer or a failure: a lead one of them had ` +
          "removed before its answer was lost is counted as already removed."
      )
    }
    if (t.callsInProgress > 0) {
      yield* output.line(`${count(t.callsInProgress)} of them were in a call: it is not cut, its log is written when it ends, and no retry follows.`)
    }
    if (report.failuresFile !== undefined && t.failures.length > 0) {
      yield* output.line(`${plural(t.failures.length, "entry", "entries")} not removed: listed in ${report.failuresFile}.`)
    }
  })

export const removeManyCommand = (flags: RemoveManyFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const output = yield* Output
    const leadq = yield* LeadqClient
    const { batchSize, concurrency } = flags
    if (batchSize < 1 || batchSize > MAX_BULK_REMOVAL) {
      return yield* new UsageError({ message: `--batch-size must be from 1 to ${MAX_BULK_REMOVAL}, got ${batchSize}.` })
    }
    const text = yield* Effect.mapError(fs.readFileString(flags.file), () => new UsageError({ message: `Cannot read the file ${flags.file}.` }))
    const campaignId = given(flags.campaign)
    const list = parseOptOutList(text, given(flags.countryCode))
    if (list.invalid.length > 0) {
      return yield* new UsageError({
        message: `${flags.file}: ${list.invalid.length} line${list.invalid.length === 1 ? "" : "s"} cannot be read; nothing was removed.`,
        details: [
          ...list.invalid.slice(0, 20).map((l) => `line ${l.line}: "${l.text.slice(0, 60)}" ${l.why}`),
          ...(list.invalid.length > 20 ? [`… and ${list.invalid.length - 20} more`] : [])
        ],
        hint: "Fix or delete these lines (or comment them out with #), then run it again."
      })
    }
    const phones = list.entries.filter((e) => e.kind === "phone").length
    if (phones > 0 && campaignId === undefined) {
      return yield* new UsageError({
        message: `${flags.file} has ${phones} phone number${phones === 1 ? "" : "s"}: say in which campaign to look them up.`,
        hint: "Pass --campaign ID (numbers are matched exactly, in E.164 form, among that campaign's leads)."
      })
    }
    // Before touching anything: the key works, the gateway answers, and the campaign exists.
    if (campaignId !== undefined) yield* leadq.campaigns.get({ path: { id: campaignId } })
    else yield* leadq.campaigns.list({ urlParams: { page: 1, limit: 1 } })

    const failuresFile = given(flags.failures) ?? defaultFailuresPath(flags.file)
    const reason = given(flags.reason) ?? `leadq remove-many ${path.basename(flags.file)}`.slice(0, 500)
    const tally = emptyTally()
    const started = Date.now()

    const finish = (interrupted: boolean) =>
      Effect.gen(function*() {
        const failures = [...tally.failures]
        if (interrupted) {
          for (const entry of list.entries) {
            if (!tally.done.has(entry)) {
              failures.push({ value: entry.value, kind: "not_attempted", why: "interrupted before its answer came (feed this file back to settle it)" })
            }
          }
        }
        const at = new Date()
        const existing = yield* fs.exists(failuresFile).pipe(Effect.orElseSucceed(() => false))
        let written: string | undefined
        if (failures.length > 0) {
          yield* fs.writeFileString(failuresFile, failuresFileText(failures, flags.file, campaignId, at)).pipe(
            Effect.tap(() => {
              written = failuresFile
            }),
            Effect.catchAll((e) => output.note(`Could not write the failures file ${failuresFile}: ${e.message}`))
          )
        } else if (existing) {
          // An earlier run's failures must not be fed back as if they were still failing.
          yield* fs.writeFileString(failuresFile, `# leadq leads remove-many --file ${flags.file}, ${at.toISOString()}: every entry done, nothing failed.\n`).pipe(
            Effect.ignore
          )
        }
        yield* printReport(output, {
          tally: { ...tally, failures },
          entries: list.entries.length,
          duplicates: list.duplicates,
          elapsedMs: Date.now() - started,
          interrupted,
          failuresFile: written
        })
      })

    yield* Effect.scoped(Effect.gen(function*() {
      const progress = yield* progressBar("remove", list.entries.length)
      yield* removeMany(leadq, {
        entries: list.entries,
        campaignId,
        concurrency,
        batchSize,
        reason,
        onEntriesDone: (n) => progress.advance(n),
        onStatus: (text) => progress.status(text)
      }, tally)
    })).pipe(Effect.onInterrupt(() => finish(true)))
    yield* finish(false)
    if (tally.errors > 0) {
      return yield* new RemoveManyIncomplete({
        message: `${tally.errors} ${tally.errors === 1 ? "entry was" : "entries were"} not removed because of errors; the failures file lists them.`
      })
    }
  }))

/** Some entries failed with errors: the summary and the failures file say which; exit 1. */
export class RemoveManyIncomplete extends Data.TaggedError("RemoveManyIncomplete")<{ readonly message: string }> {}
