/**
 * CSV as RFC 4180 writes it: a field that holds a comma, a double quote or a line break is
 * quoted, its quotes doubled; `null` is an empty field. Nothing else is changed: an export for
 * a compliance review must carry the values exactly as the API holds them.
 */
export const csvField = (value: string | number | boolean | null): string => {
  const text = value === null ? "" : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, "\"\"")}"` : text
}

export const csvLine = (fields: ReadonlyArray<string | number | boolean | null>): string => fields.map(csvField).join(",")
