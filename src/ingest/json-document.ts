/**
 * @module ingest/json-document
 * Streams the records out of a JSON document without holding the document in memory: a top-level array
 * (`[{...}, ...]`, on one line or pretty-printed), a wrapper object whose `value` / `records` / `Records` / `events`
 * / `items` member is the array (Graph pages, Azure Monitor blobs, CloudTrail files, Reports API pages), or a
 * sequence of objects (`jq .` output, or JSON lines with broken lines). Text goes in as chunks of any size; each
 * record comes out as its own text with the line it starts on, so memory holds one record at most.
 *
 * Broken input must not take good records down with it:
 * - JSON strings cannot contain a line break, so a string still open at the end of a line is closed there;
 * - a line with control characters (NUL and the like, never valid anywhere in JSON) is reported as binary and not
 *   scanned, and a record it falls into is reported rather than parsed;
 * - when a record never closes (truncated in the middle), the next line that starts a record at the document's
 *   record indentation ends it, and reading goes on from there.
 */

/** Members of a wrapper object that hold its records. */
export const WRAPPER_KEYS: readonly string[] = ['value', 'records', 'Records', 'events', 'items'];
const WRAPPER_KEY_SET = new Set(WRAPPER_KEYS);

/**
 * Characters that cannot occur anywhere in JSON text, not even inside strings. (RS, \u001e, is let through: it
 * starts each record of a JSON text sequence, RFC 7464, such as `jq --seq` writes, and is read as a blank.)
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001d\u001f]/g;

const EXCERPT_CHARS = 200;
/** An unfinished line shorter than this waits for the rest of its line before it is scanned. */
const HOLD_CHARS = 1 << 16;

export interface DocPiece {
  /** The record's JSON text (when no error). */
  text?: string;
  /** Line the record (or the problem) starts on. */
  line: number;
  error?: string;
  /** Text to show with an error. */
  excerpt?: string;
}

export interface DocumentSplitterOptions {
  /** Longest record kept, in characters; longer records are reported, not held. */
  maxRecordChars: number;
  /**
   * Do the members before a wrapper key already identify the object as a record of its own? Google Workspace
   * activities, for one, have an `events` array that is not a list of records. Without it, every object whose
   * `value`/`records`/`Records`/`events`/`items` member is an array counts as a wrapper.
   */
  isRecord?: (partial: Record<string, unknown>) => boolean;
}

/** What a JSON value starting at text[i] is ("a number", ...), or '' when it is not one. */
function scalarKind(text: string, i: number): string {
  const c = text.charCodeAt(i);
  if (c === 34) return 'a string';
  if (c === 45 || (c >= 48 && c <= 57)) return 'a number';
  if (text.startsWith('true', i) || text.startsWith('false', i)) return 'a boolean';
  if (text.startsWith('null', i)) return 'null';
  return '';
}

export class JsonDocumentSplitter {
  private readonly max: number;
  private readonly isRecord: ((partial: Record<string, unknown>) => boolean) | undefined;

  // Lexical state.
  private depth = 0;
  private inStr = false;
  private esc = false;
  private lineNo = 1;
  /** No character but blanks seen yet on the current line. */
  private atLineStart = true;
  /** Blanks before the first character of the current line. */
  private indent = 0;
  /** Index in the current chunk of the current line's first character, or -1. */
  private lineFirst = -1;
  private binaryLine = 0;
  private garbageLine = 0;

  // Structure.
  /** Depth at which array elements are records: 1 in a top-level array, 2 in a wrapper's array, -1 when none. */
  private elemDepth = -1;
  /** A scalar element was reported since the last comma (one report per element, not per character). */
  private scalarSeen = false;
  /** The key before the last colon at the top level of an object, when short enough to be a wrapper's. */
  private pendingKey: string | undefined;
  /** The last string closed at the top level of an object (a key, if a colon follows). */
  private lastString: string | undefined;
  /** A top-level string of an object is being read: its start in this chunk, and its text from earlier chunks. */
  private keyTracking = false;
  private keyStart = 0;
  private keyHead = '';

  // The record being captured.
  private capturing = false;
  private capDepth = 0;
  private capLine = 0;
  /** Start of the record's text in the current chunk (0 when it began in an earlier chunk). */
  private capStart = 0;
  private parts: string[] = [];
  private partsLen = 0;
  private overflow = false;
  private corrupt: string | undefined;
  /** Indentation of the line the record starts, when it is the line's first character; else -1. */
  private capIndent = -1;

  /** The unfinished last line of the previous chunk. */
  private carry = '';

  /** Indentation at which the last complete record started its line (-1 until seen): the fallback anchor. */
  private recordIndent = -1;
  /** False once lines inside records turn out not to be indented deeper than records (no safe anchor then). */
  private canResync = true;

  constructor(opts: DocumentSplitterOptions | number) {
    const o = typeof opts === 'number' ? { maxRecordChars: opts } : opts;
    this.max = o.maxRecordChars;
    this.isRecord = o.isRecord;
  }

  /** Characters held for the record being read (tests check that memory stays at one record). */
  get bufferedChars(): number {
    return this.partsLen;
  }

  /** Number of the last line that has content. */
  get lastLine(): number {
    return this.atLineStart ? this.lineNo - 1 : this.lineNo;
  }

  /** Feed the next chunk of text (any size, lines may span chunks); returns the records and problems it completes. */
  push(chunk: string): DocPiece[] {
    const out: DocPiece[] = [];
    // Lines are scanned whole, so that results do not depend on where chunks are cut: the unfinished last line
    // waits for the next chunk, unless it is very long (one-line documents), which is then scanned as it comes.
    const text = this.carry ? this.carry + chunk : chunk;
    this.carry = '';
    let end = text.length;
    const lastNl = text.lastIndexOf('\n');
    if (end - (lastNl + 1) < HOLD_CHARS) {
      end = lastNl + 1;
      this.carry = text.slice(end);
    }
    this.process(text, end, out);
    return out;
  }

  /** End of input: an unfinished record is reported as truncated. */
  end(): DocPiece[] {
    const out: DocPiece[] = [];
    if (this.carry) {
      const text = this.carry;
      this.carry = '';
      this.process(text, text.length, out);
    }
    const last = this.lastLine;
    if (this.capturing) {
      out.push({ line: this.capLine, error: `truncated JSON: record starting at line ${this.capLine} never closes (input ends at line ${last})` });
      this.dropCapture();
    } else if (this.depth > 0) {
      out.push({ line: Math.max(last, 1), error: 'truncated JSON: input ends inside an array or object' });
    }
    this.depth = 0;
    this.elemDepth = -1;
    return out;
  }

  /** Scan text[0, n). */
  private process(text: string, n: number, out: DocPiece[]): void {
    this.capStart = 0;
    this.keyStart = 0;
    this.lineFirst = -1;
    let ctrl = -1; // next control character at or after the scan position, or n
    let pos = 0;
    while (pos < n) {
      const nl = text.indexOf('\n', pos);
      const end = nl < 0 || nl >= n ? n : nl;
      if (ctrl < pos) {
        CONTROL.lastIndex = pos;
        const m = CONTROL.exec(text);
        ctrl = m ? m.index : n;
      }
      if (ctrl < end) this.binarySegment(text, pos, end, out);
      else this.scan(text, pos, end, out);
      if (end === n) break;
      this.endOfLine();
      pos = nl + 1;
    }
    if (this.capturing) this.keep(text.slice(this.capStart, n));
    if (this.keyTracking && this.keyHead.length <= 8) this.keyHead += text.slice(this.keyStart, Math.min(n, this.keyStart + 9));
  }

  private endOfLine(): void {
    // A string cannot span lines: one still open is broken; closing it here keeps the brackets after it counted.
    this.inStr = false;
    this.esc = false;
    this.keyTracking = false;
    this.lineNo++;
    this.atLineStart = true;
    this.indent = 0;
    this.lineFirst = -1;
  }

  private binarySegment(text: string, from: number, end: number, out: DocPiece[]): void {
    this.atLineStart = false;
    if (this.binaryLine === this.lineNo) return;
    this.binaryLine = this.lineNo;
    if (this.capturing && !this.corrupt) {
      this.corrupt = `binary data inside the record starting at line ${this.capLine} (line ${this.lineNo})`;
    }
    out.push({ line: this.lineNo, error: 'binary data, not a JSON record', excerpt: text.slice(from, Math.min(end, from + EXCERPT_CHARS)) });
  }

  /** Scan one line's segment [from, end) of the chunk. */
  private scan(text: string, from: number, end: number, out: DocPiece[]): void {
    let i = from;
    if (this.inStr) {
      i = this.skipString(text, i, end);
      if (i >= end) return;
      this.stringClosed(text, i);
      i++;
    }
    if (this.atLineStart) {
      while (i < end) {
        const c = text.charCodeAt(i);
        if (c !== 32 && c !== 9 && c !== 13 && c !== 30) break;
        i++;
      }
      this.indent += i - from;
      if (i >= end) return;
      this.atLineStart = false;
      this.lineFirst = i;
      this.lineBegins(text.charCodeAt(i), out);
    }
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      switch (c) {
        case 34: {
          // "
          if (this.depth === this.elemDepth && !this.capturing) this.scalar(text, i, from, end, out);
          else if (this.depth === 0) this.garbage(text, i, from, end, out);
          // Strings at the top level of an object are remembered: one may be the key of a wrapper's array.
          if (this.depth === 1 && this.capturing && this.capDepth === 0) {
            this.keyTracking = true;
            this.keyStart = i + 1;
            this.keyHead = '';
          }
          this.inStr = true;
          i = this.skipString(text, i + 1, end);
          if (i >= end) return;
          this.stringClosed(text, i);
          break;
        }
        case 58: // :
          if (this.depth === 1) {
            this.pendingKey = this.lastString;
            this.lastString = undefined;
          }
          break;
        case 44: // ,
          if (this.depth === 1) this.pendingKey = this.lastString = undefined;
          if (this.depth === this.elemDepth) this.scalarSeen = false;
          break;
        case 123: // {
        case 91: // [
          this.open(c, text, i);
          break;
        case 125: // }
        case 93: // ]
          if (this.depth === 0) {
            this.garbage(text, i, from, end, out);
            break;
          }
          this.depth--;
          if (this.capturing && this.depth === this.capDepth) this.finishCapture(text, i, out);
          if (this.depth === this.elemDepth - 1) this.elemDepth = -1; // the array of records has closed
          this.scalarSeen = false;
          break;
        case 32:
        case 9:
        case 13:
        case 30:
          break;
        default:
          if (this.depth === 0) this.garbage(text, i, from, end, out);
          else if (this.depth === this.elemDepth && !this.capturing) this.scalar(text, i, from, end, out);
      }
    }
  }

  private stringClosed(text: string, i: number): void {
    if (!this.keyTracking) return;
    this.keyTracking = false;
    const key = this.keyHead + text.slice(this.keyStart, Math.min(i, this.keyStart + 9));
    this.lastString = key.length <= 8 ? key : undefined;
  }

  /** Index of the closing quote of the string being read, or `end` when it does not close in [from, end). */
  private skipString(text: string, from: number, end: number): number {
    let i = from;
    if (this.esc) {
      this.esc = false;
      i++;
    }
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        this.inStr = false;
        return i;
      }
      i += c === 92 ? 2 : 1;
    }
    if (i > end) this.esc = true; // the segment ended on a backslash: the next chunk starts escaped
    return end;
  }

  /** The first character of a line: recovery from a record that never closed. */
  private lineBegins(c: number, out: DocPiece[]): void {
    if (!this.capturing || this.lineNo === this.capLine || !this.canResync) return;
    // The anchor: the indentation this record started at, or else the one records started at before.
    const anchor = this.capIndent >= 0 ? this.capIndent : this.recordIndent;
    if (anchor < 0) return;
    if (this.indent === anchor && c === 123) {
      out.push({
        line: this.capLine,
        error: `truncated JSON: record starting at line ${this.capLine} never closes (a new record starts at line ${this.lineNo})`,
      });
      this.dropCapture();
      this.depth = this.capDepth;
      this.scalarSeen = false;
    } else if (this.indent <= anchor && c === 34) {
      this.canResync = false; // members are not indented deeper than records: indentation says nothing here
    }
  }

  private open(c: number, text: string, i: number): void {
    if (this.depth === 0) {
      this.scalarSeen = false;
      this.pendingKey = undefined;
      if (c === 91) this.elemDepth = 1;
      else {
        this.elemDepth = -1;
        this.startCapture(i, 0); // a record, unless it turns out to be a wrapper
      }
    } else if (this.depth === 1 && c === 91 && this.capturing && this.capDepth === 0 && this.pendingKey !== undefined && WRAPPER_KEY_SET.has(this.pendingKey)) {
      if (this.isWrapper(text, i)) {
        this.dropCapture();
        this.elemDepth = 2;
      }
      this.pendingKey = undefined;
    } else if (this.depth === this.elemDepth && !this.capturing) {
      this.startCapture(i, this.depth);
    }
    this.depth++;
  }

  private isWrapper(text: string, i: number): boolean {
    if (!this.isRecord || this.overflow || this.corrupt) return true;
    let partial: unknown;
    try {
      partial = JSON.parse(this.parts.join('') + text.slice(this.capStart, i) + 'null}');
    } catch {
      return true;
    }
    return !(partial && typeof partial === 'object' && this.isRecord(partial as Record<string, unknown>));
  }

  private scalar(text: string, i: number, from: number, end: number, out: DocPiece[]): void {
    if (this.scalarSeen) return;
    this.scalarSeen = true;
    const kind = scalarKind(text, i);
    const error = kind ? `not a JSON object: array element is ${kind}` : 'invalid JSON: unexpected text between records';
    out.push({ line: this.lineNo, error, excerpt: text.slice(from, Math.min(end, from + EXCERPT_CHARS)) });
  }

  /** Something other than an object or array at the top level: reported once per line. */
  private garbage(text: string, i: number, from: number, end: number, out: DocPiece[]): void {
    if (this.garbageLine === this.lineNo) return;
    this.garbageLine = this.lineNo;
    const c = text.charCodeAt(i);
    const kind = scalarKind(text, i);
    const error =
      c === 125 || c === 93 ? 'invalid JSON: a closing bracket without its opening one' : kind ? `not a JSON object: ${kind}` : 'invalid JSON: text outside any object or array';
    out.push({ line: this.lineNo, error, excerpt: text.slice(from, Math.min(end, from + EXCERPT_CHARS)) });
  }

  private startCapture(i: number, depth: number): void {
    this.capturing = true;
    this.capDepth = depth;
    this.capLine = this.lineNo;
    this.capStart = i;
    this.parts = [];
    this.partsLen = 0;
    this.overflow = false;
    this.corrupt = undefined;
    this.capIndent = i === this.lineFirst ? this.indent : -1;
  }

  private dropCapture(): void {
    this.capturing = false;
    this.parts = [];
    this.partsLen = 0;
    this.overflow = false;
    this.corrupt = undefined;
  }

  /** Keep the record's text from an earlier chunk, unless the record is already too long. */
  private keep(s: string): void {
    if (this.overflow) return;
    this.partsLen += s.length;
    if (this.partsLen > this.max) {
      this.overflow = true;
      this.parts = [];
      this.partsLen = 0;
      return;
    }
    this.parts.push(s);
  }

  private finishCapture(text: string, i: number, out: DocPiece[]): void {
    const line = this.capLine;
    const tail = text.slice(this.capStart, i + 1);
    if (this.corrupt) out.push({ line, error: this.corrupt });
    else if (this.overflow || this.partsLen + tail.length > this.max) out.push({ line, error: `record too long: more than ${this.max} characters` });
    else out.push({ line, text: this.parts.length ? this.parts.join('') + tail : tail });
    if (this.capIndent >= 0) this.recordIndent = this.capIndent;
    this.dropCapture();
  }
}
