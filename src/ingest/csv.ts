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

function quotesBalanced(s: string): boolean {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 34) n++;
  return n % 2 === 0;
}

export class CsvRows {
  private header: string[] | undefined;
  private pending: string | undefined;
  private pendingLine = 0;

  /** Feed a line; returns [startLine, object] when a row completes, or undefined. */
  push(text: string, line: number): { line: number; row: Record<string, string> } | { line: number; error: string } | undefined {
    const joined = this.pending !== undefined ? this.pending + '\n' + text : text;
    const startLine = this.pending !== undefined ? this.pendingLine : line;
    if (!quotesBalanced(joined)) {
      if (joined.length > 1 << 20) {
        this.pending = undefined;
        return { line: startLine, error: 'CSV field with an unclosed quote' };
      }
      this.pending = joined;
      this.pendingLine = startLine;
      return undefined;
    }
    this.pending = undefined;
    if (joined.trim() === '') return undefined;
    const cells = splitCsvRow(joined);
    if (!this.header) {
      this.header = cells.map((h) => h.replace(/^\uFEFF/, '').replace(/\s*\[[^\]]*\]\s*$/, '').trim());
      return undefined;
    }
    if (cells.length !== this.header.length) return { line: startLine, error: `CSV row has ${cells.length} fields, header has ${this.header.length}` };
    const row: Record<string, string> = {};
    for (let i = 0; i < cells.length; i++) if (cells[i] !== '') row[this.header[i]] = cells[i];
    return { line: startLine, row };
  }

  end(): { line: number; error: string } | undefined {
    return this.pending !== undefined ? { line: this.pendingLine, error: 'CSV ends inside a quoted field' } : undefined;
  }
}

/** Does this first line look like a CSV header of a sign-in export? */
export function looksLikeCsvHeader(line: string): boolean {
  const cells = splitCsvRow(line);
  return cells.length >= 3 && cells.every((c) => c.length < 80) && /TimeGenerated|ResultType|UserPrincipalName|createdDateTime|IPAddress/i.test(line);
}
