/**
 * @module ingest/csv
 * RFC 4180 CSV rows to objects keyed by the header, for Log Analytics exports. Header names lose unit suffixes
 * such as "TimeGenerated [UTC]" -> "TimeGenerated". Quoted fields may span lines: the caller feeds lines and gets a
 * row back once its quotes balance.
 */

export function splitCsvRow(row: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQ = false;
  for (let i = 0; i < row.length; i++) {
    const c = row[i];
    if (inQ) {
      if (c === '"') {
        if (row[i + 1] === '"') {
          cur += '"';
          i++;
        } else inQ = false;
      } else cur += c;
    } else if (c === '"') inQ = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function quoteCount(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n;
}

/** Longest row kept while waiting for a quoted field to close. */
const MAX_ROW_CHARS = 1 << 20;

export type CsvResult = { line: number; row: Record<string, string>; text: string } | { line: number; error: string; text?: string };

export class CsvRows {
  private header: string[] | undefined;
  /** Lines of a row whose quoted field is still open. */
  private pending: string[] = [];
  private pendingLen = 0;
  private pendingLine = 0;
  private pendingQuotes = 0;

  /** Feed a line; returns the row it completes (with the line the row starts on), an error, or undefined. */
  push(text: string, line: number): CsvResult | undefined {
    const quotes = quoteCount(text);
    if (this.pending.length) {
      this.pending.push(text);
      this.pendingLen += text.length + 1;
      this.pendingQuotes += quotes;
      if (this.pendingQuotes % 2 === 1) {
        if (this.pendingLen <= MAX_ROW_CHARS) return undefined;
        const start = this.pendingLine;
        this.clear();
        return { line: start, error: `bad CSV row: a quoted field stays open for more than ${MAX_ROW_CHARS} characters` };
      }
      const joined = this.pending.join('\n');
      const start = this.pendingLine;
      this.clear();
      return this.row(joined, start);
    }
    if (quotes % 2 === 1) {
      this.pending = [text];
      this.pendingLen = text.length;
      this.pendingLine = line;
      this.pendingQuotes = quotes;
      return undefined;
    }
    return this.row(text, line);
  }

  end(): { line: number; error: string } | undefined {
    if (!this.pending.length) return undefined;
    const line = this.pendingLine;
    this.clear();
    return { line, error: 'bad CSV row: input ends inside a quoted field' };
  }

  private clear(): void {
    this.pending = [];
    this.pendingLen = 0;
    this.pendingQuotes = 0;
  }

  private row(text: string, line: number): CsvResult | undefined {
    if (text.trim() === '') return undefined;
    const cells = splitCsvRow(text);
    if (!this.header) {
      this.header = cells.map((h) => h.replace(/^\uFEFF/, '').replace(/\s*\[[^\]]*\]\s*$/, '').trim());
      return undefined;
    }
    if (cells.length !== this.header.length) return { line, error: `bad CSV row: ${cells.length} fields where the header has ${this.header.length}`, text };
    const row: Record<string, string> = {};
    for (let i = 0; i < cells.length; i++) if (cells[i] !== '') row[this.header[i]] = cells[i];
    return { line, row, text };
  }
}

/** Does this first line look like a CSV header of a sign-in export? */
export function looksLikeCsvHeader(line: string): boolean {
  if (/^\s*[[{]/.test(line)) return false; // JSON, whatever its commas
  const cells = splitCsvRow(line);
  return cells.length >= 3 && cells.every((c) => c.length < 80) && /TimeGenerated|ResultType|UserPrincipalName|createdDateTime|IPAddress/i.test(line);
}
