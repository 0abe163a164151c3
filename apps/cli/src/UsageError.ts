import * as Data from "effect/Data"

/**
 * Bad usage that only the command itself can tell (a missing API key, an unreadable file, a
 * flag value the contract refuses): printed with its hint, exit code 2. Nothing was sent.
 */
export class UsageError extends Data.TaggedError("UsageError")<{
  readonly message: string
  readonly details?: ReadonlyArray<string> | undefined
  readonly hint?: string | undefined
}> {}
