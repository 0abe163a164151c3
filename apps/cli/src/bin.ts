#!/usr/bin/env node
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import { cli } from "./Cli.js"
import { EXIT_OK, interruptExitCode } from "./ExitCode.js"
import { describeCause } from "./Failure.js"
import { colorsOn, paintFor } from "./Colors.js"

/**
 * `leadq`: parse the command line, run the command, print what went wrong (if anything) on
 * stderr and exit with its code: 0 ok, 1 a request failed, 2 bad usage, 130 interrupted.
 */
const json = process.argv.includes("--json")

// `leadq leads list --all --json | head`: when the reader has seen enough, stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(EXIT_OK)
    throw error
  })
}

const report = (exit: Exit.Exit<unknown, unknown>): number => {
  if (Exit.isSuccess(exit)) return EXIT_OK
  if (Cause.isInterruptedOnly(exit.cause)) return interruptExitCode()
  const failure = describeCause(exit.cause)
  if (json) {
    process.stderr.write(JSON.stringify({ error: { code: failure.code, message: failure.message, details: failure.details } }) + "\n")
  } else {
    const paint = paintFor(colorsOn(process.stderr))
    process.stderr.write(
      [`${paint.red("Error:")} ${failure.message}`, ...failure.details.map((d) => `  ${d}`)].join("\n") + "\n"
    )
  }
  return failure.exitCode
}

// Logs (the client's retries at debug level, warnings) go to stderr: stdout is for results.
const logger = Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))

// @effect/cli colours its help unconditionally: keep the colours for a terminal. Its usage
// errors are the only thing it writes to stderr (`Console.error`): they are left out there and
// reported below like any other failure — `Error: …` for people, one JSON line under --json.
const ANSI = /\x1b\[[0-9;]*m/g
const console = Effect.runSync(Console.consoleWith(Effect.succeed))
const stdoutColours = colorsOn(process.stdout)
const terminalConsole: Console.Console = {
  ...console,
  log: (...args) => console.log(...(stdoutColours ? args : args.map((a) => (typeof a === "string" ? a.replace(ANSI, "") : a)))),
  error: () => Effect.void
}

const main = Effect.suspend(() => cli(process.argv)).pipe(
  Console.withConsole(terminalConsole),
  Effect.provide(NodeContext.layer),
  Effect.provide(logger),
  Logger.withMinimumLogLevel(LogLevel.Warning)
)

NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    const code = report(exit)
    process.exitCode = code
    onExit(code)
    // Nothing should be left running; if something is (an idle socket), it must not hold the exit.
    setTimeout(() => process.exit(code), 100).unref()
  }
})
