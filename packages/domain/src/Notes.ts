import { Schema } from "effect"

/** docs/design.md §2: at most 15 note keys per lead (CSV: at most 15 columns besides `phone_number`). */
export const MAX_NOTE_KEYS = 15
export const MAX_NOTE_KEY_LENGTH = 64
export const MAX_NOTE_VALUE_LENGTH = 2000

export const NoteValue = Schema.Union(
  Schema.String.pipe(Schema.maxLength(MAX_NOTE_VALUE_LENGTH, {
    message: () => `a note value must be at most ${MAX_NOTE_VALUE_LENGTH} characters`
  })),
  Schema.Number,
  Schema.Boolean
)
export type NoteValue = typeof NoteValue.Type

const NoteKey = Schema.String.pipe(
  Schema.minLength(1, { message: () => "a note key must not be empty" }),
  Schema.maxLength(MAX_NOTE_KEY_LENGTH, { message: () => `a note key must be at most ${MAX_NOTE_KEY_LENGTH} characters` })
)

/**
 * Free-form variables of a lead (they reach the agent as dynamic variables). The simulated
 * carrier reads `sim_outcome` and `sim_duration_ms` from here; a valid IANA `timezone` here
 * overrides the campaign calling window's zone for this lead.
 */
export const Notes = Schema.Record({ key: NoteKey, value: NoteValue }).pipe(
  Schema.filter((notes) =>
    Object.keys(notes).length <= MAX_NOTE_KEYS ||
    `notes may have at most ${MAX_NOTE_KEYS} keys, got ${Object.keys(notes).length}`
  )
)
export type Notes = typeof Notes.Type
