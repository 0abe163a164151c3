import { MAX_CSV_BYTES, PayloadTooLarge } from "@leadq/api"
import { InvalidInput } from "@leadq/domain"
import { CsvReader } from "./CsvReader.js"

/** Invalid rows named one by one in a refusal; the rest are counted. */
const MAX_REPORTED = 100

/**
 * What every CSV upload shares (leads: LeadCsv.ts, suppressions: SuppressionCsv.ts): the file read
 * as it streams in and never held whole, at most 10 MiB, records handed to `onRecord` with their
 * row number (the header is row 1), invalid rows collected, and the all-or-nothing verdict at the
 * end. A subclass reads the header and the rows, and keeps what the rows yield.
 */
export abstract class StreamedCsv {
  private readonly decoder = new TextDecoder("utf-8", { fatal: false })
  private readonly reader = new CsvReader((fields, n) => this.onRecord(fields, n))
  private bytes = 0
  private readonly problems: Array<string> = []
  private invalidRows = 0
  /** A problem that stops the reading (the header, the size): the rest of the body is drained. */
  protected fatal: InvalidInput | PayloadTooLarge | undefined

  /** Bytes of the file as they arrive. */
  feedBytes(chunk: Uint8Array): void {
    if (this.fatal !== undefined) return
    this.bytes += chunk.byteLength
    if (this.bytes > MAX_CSV_BYTES) {
      this.fatal = PayloadTooLarge.of(MAX_CSV_BYTES, "The file")
      return
    }
    this.reader.feed(this.decoder.decode(chunk, { stream: true }))
  }

  /** The whole file as text (a multipart field rather than a file part). */
  feedText(text: string): void {
    this.feedBytes(new TextEncoder().encode(text))
  }

  protected abstract onRecord(fields: Array<string>, n: number): void

  /** Whether a header was read (asked once the file has ended). */
  protected abstract hasHeader(): boolean

  protected problem(row: number, message: string) {
    this.invalidRows++
    if (this.problems.length < MAX_REPORTED) this.problems.push(`row ${row}: ${message}`)
  }

  /**
   * The end of the file: the refusal of the whole file, if any — the size, the header, an empty
   * file (`empty`), or every invalid row (`nothingDone` says that the file changed nothing).
   */
  protected end(empty: string, nothingDone: string): InvalidInput | PayloadTooLarge | undefined {
    if (this.fatal === undefined) {
      this.reader.feed(this.decoder.decode())
      const { unterminatedQuoteAt } = this.reader.end()
      if (unterminatedQuoteAt !== undefined) this.problem(unterminatedQuoteAt, "a quoted field is never closed")
    }
    if (this.fatal !== undefined) return this.fatal
    if (!this.hasHeader()) return InvalidInput.of([empty])
    if (this.invalidRows === 0) return undefined
    const more = this.invalidRows - Math.min(this.invalidRows, MAX_REPORTED)
    return InvalidInput.of([
      `file: ${this.invalidRows} invalid row${this.invalidRows === 1 ? "" : "s"}; ${nothingDone}`,
      ...this.problems,
      ...(more > 0 ? [`… and ${more} more invalid rows`] : [])
    ])
  }
}
