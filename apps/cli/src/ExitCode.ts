/**
 * The CLI's exit codes (docs/cli.md): 0 ok, 1 a request failed, 2 bad usage, 130 interrupted
 * (Ctrl-C), except for commands whose normal end is Ctrl-C (`call-logs follow`), which exit 0.
 */
export const EXIT_OK = 0
export const EXIT_FAILED = 1
export const EXIT_USAGE = 2
export const EXIT_INTERRUPTED = 130

let onInterrupt = EXIT_INTERRUPTED

/** For a command that runs until it is interrupted: Ctrl-C is how it ends, not a failure. */
export const interruptIsNormalEnd = (): void => {
  onInterrupt = EXIT_OK
}

export const interruptExitCode = (): number => onInterrupt
