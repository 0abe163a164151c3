/**
 * A streaming CSV reader (RFC 4180, leniently): fields separated by commas, records by LF, CRLF
 * or CR; a field in double quotes may hold commas, line breaks and doubled quotes (`""`). A
 * UTF-8 byte order mark at the very start is skipped. Text arrives in chunks of any size (a
 * quote or a CRLF may straddle two chunks); each complete record is handed over at once, so
 * the file itself is never held in memory.
 */
export class CsvReader {
  private field = ""
  private record: Array<string> = []
  private inQuotes = false
  /** A quote was just read inside a quoted field: the next character decides what it was. */
  private quoteSeen = false
  /** The previous chunk ended in CR: an LF starting this one belongs to the same line break. */
  private afterCR = false
  private atStart = true
  /** 1-based number of the record being read (the header is record 1). */
  private recordNumber = 1
  /** The record where an open quoted field began, for the error message. */
  private quoteOpenedAt = 0

  constructor(private readonly onRecord: (fields: Array<string>, recordNumber: number) => void) {}

  feed(text: string): void {
    let i = 0
    if (this.atStart && text.length > 0) {
      this.atStart = false
      if (text.charCodeAt(0) === 0xfeff) i = 1
    }
    if (this.afterCR && i < text.length) {
      this.afterCR = false
      if (text.charCodeAt(i) === 10) i++
    }
    // Unquoted runs are copied with one slice instead of character by character.
    let runStart = i
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (this.inQuotes) {
        if (this.quoteSeen) {
          this.quoteSeen = false
          if (c === 34) {
            this.field += "\""
            runStart = i + 1
            continue
          }
          // The quote closed the field; this character is read as outside quotes.
          this.inQuotes = false
          runStart = i
        } else {
          if (c === 34) {
            this.field += text.slice(runStart, i)
            this.quoteSeen = true
            runStart = i + 1
          }
          continue
        }
      }
      if (c === 44) {
        this.field += text.slice(runStart, i)
        this.record.push(this.field)
        this.field = ""
        runStart = i + 1
      } else if (c === 10 || c === 13) {
        this.field += text.slice(runStart, i)
        this.endRecord()
        if (c === 13) {
          if (i + 1 < text.length) {
            if (text.charCodeAt(i + 1) === 10) i++
          } else {
            this.afterCR = true
          }
        }
        runStart = i + 1
      } else if (c === 34 && this.field === "" && i === runStart) {
        // A quote opening a field.
        this.inQuotes = true
        this.quoteOpenedAt = this.recordNumber
        runStart = i + 1
      }
    }
    if (runStart < text.length) this.field += text.slice(runStart)
  }

  /** End of input. An unterminated quoted field is reported, not silently completed. */
  end(): { readonly unterminatedQuoteAt: number | undefined } {
    if (this.inQuotes && !this.quoteSeen) return { unterminatedQuoteAt: this.quoteOpenedAt }
    this.inQuotes = false
    this.quoteSeen = false
    if (this.field !== "" || this.record.length > 0) this.endRecord()
    return { unterminatedQuoteAt: undefined }
  }

  private endRecord() {
    this.record.push(this.field)
    this.field = ""
    const record = this.record
    this.record = []
    this.onRecord(record, this.recordNumber++)
  }
}
