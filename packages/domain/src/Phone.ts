import { Either, Schema } from "effect"
import { InvalidInput } from "./Errors.js"

const E164_PATTERN = /^\+[1-9]\d{7,14}$/

/** A phone number in E.164 form: `+`, a country code and the subscriber number, 8 to 15 digits. */
export const E164 = Schema.String.pipe(
  Schema.pattern(E164_PATTERN, { message: () => "must be an E.164 phone number such as +14155550123" }),
  Schema.brand("E164")
)
export type E164 = typeof E164.Type

/** Separators people type between digit groups; they carry no meaning. */
const SEPARATORS = /[\s\-().\u00a0]/g

/**
 * Joins the documented `phoneNumber` and optional `countryCode` into E.164.
 *
 * - `+14155550123` or `0014155550123`: already international; a `countryCode`, if given, must agree.
 * - `4155550123` with `countryCode` `1` / `+1`: the code is prefixed; one leading trunk `0` of the
 *   national number is dropped (`07700 900123` with `44` is `+447700900123`).
 * - anything else is refused with a message naming the field: we never guess a country.
 */
export const joinPhone = (
  phoneNumber: string,
  countryCode?: string | undefined,
  field = "phoneNumber"
): Either.Either<E164, InvalidInput> => {
  const raw = phoneNumber.replace(SEPARATORS, "")
  let cc: string | undefined
  if (countryCode !== undefined && countryCode.trim() !== "") {
    cc = countryCode.trim().replace(/^\+/, "")
    if (!/^[1-9]\d{0,2}$/.test(cc)) {
      return Either.left(InvalidInput.of([`countryCode must be a dialling code of 1 to 3 digits such as 1 or +44, got "${countryCode}"`]))
    }
  }
  let e164: string
  if (raw.startsWith("+") || raw.startsWith("00")) {
    e164 = "+" + raw.replace(/^(\+|00)/, "")
    if (cc !== undefined && !e164.startsWith("+" + cc)) {
      return Either.left(InvalidInput.of([`${field} ${phoneNumber} does not start with countryCode +${cc}`]))
    }
  } else if (cc !== undefined) {
    e164 = "+" + cc + raw.replace(/^0/, "")
  } else {
    return Either.left(
      InvalidInput.of([`${field} must be in E.164 form (+14155550123) or come with a countryCode, got "${phoneNumber}"`])
    )
  }
  return E164_PATTERN.test(e164)
    ? Either.right(e164 as E164)
    : Either.left(InvalidInput.of([`${field} ${phoneNumber} is not a valid phone number (E.164: + and 8 to 15 digits)`]))
}

export const isE164 = (s: string): s is E164 => E164_PATTERN.test(s)
