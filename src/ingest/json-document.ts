/**
 * @module ingest/json-document
 * Streams the records out of a multi-line JSON document without holding the document in memory:
 * a top-level array (`[{...}, ...]`), a wrapper object whose `value` / `records` / `Records` / `events` / `items`
 * member is the array (Graph pages, Azure Monitor exports, CloudTrail files, Reports API pages), or a sequence of
 * pretty-printed objects (`jq .` output). Each element is handed out as text with the line it starts on.
 */

const WRAPPER_KEYS = new Set(['value', 'records', 'Records', 'events', 'items']);

export interface DocPiece {
  text?: string;
  line: number;
  error?: string;
}

export class JsonDocumentSplitter {
  private depth = 0;
  private inStr = false;
  private esc = false;
  private strStart = -1;
  private strParts: string[] = [];
  private lastString: string | undefined;
  private pendingKey: string | undefined;
  /** Depth at which array elements are records: 1 for a top-level array, 2 inside a wrapper object. */
  private elemDepth = -1;
  private capturing = false;
  private capDepth = 0;
  private parts: string[] = [];
  private partsLen = 0;
  private capLine = 0;
  private topCapture = false;
  private overflow = false;

  constructor(private readonly maxRecordBytes: number) {}

  /** Feed one line; returns the complete records (or errors) it ended. */
  push(text: string, lineNo: number): DocPiece[] {
    const out: DocPiece[] = [];
    let capStart = this.capturing ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inStr) {
        if (this.esc) this.esc = false;
        else if (c === 92) this.esc = true;
        else if (c === 34) {
          this.inStr = false;
          if (this.depth === 1 && !this.capturingElement()) {
            this.strParts.push(text.slice(this.strStart, i));
            this.lastString = this.strParts.join('');
          }
          this.strParts = [];
        }
        continue;
      }
      switch (c) {
        case 34: // "
          this.inStr = true;
          this.strStart = i + 1;
          this.strParts = [];
          break;
        case 58: // :
          if (this.depth === 1) this.pendingKey = this.lastString;
          break;
        case 44: // ,
          if (this.depth === 1) this.pendingKey = undefined;
          break;
        case 123: // {
        case 91: // [
          if (this.depth === 0) {
            // A new top-level value: a lone array means its elements are records; an object is a record unless
            // it turns out to be a wrapper.
            if (c === 91) this.elemDepth = 1;
            else {
              this.elemDepth = -1;
              this.topCapture = true;
              this.startCapture(lineNo, 0);
              capStart = i;
            }
          } else if (this.depth === 1 && c === 91 && this.elemDepth === -1 && this.pendingKey && WRAPPER_KEYS.has(this.pendingKey)) {
            this.elemDepth = 2;
            this.dropTopCapture();
            capStart = -1;
          } else if (this.depth === this.elemDepth && !this.capturing) {
            this.startCapture(lineNo, this.depth);
            capStart = i;
          }
          this.depth++;
          break;
        case 125: // }
        case 93: // ]
          if (this.depth === 0) {
            out.push({ line: lineNo, error: 'unbalanced JSON: closing bracket without opening' });
            break;
          }
          this.depth--;
          if (this.capturing && this.depth === this.capDepth) {
            this.appendPart(text.slice(capStart, i + 1));
            out.push(this.finishCapture());
            capStart = -1;
          }
          if (this.depth === 0) this.elemDepth = -1;
          break;
        default:
          if (this.depth === this.elemDepth && !this.capturing && c > 32 && c !== 44) {
            out.push({ line: lineNo, error: 'array element is not an object' });
          }
      }
    }
    if (this.inStr && this.depth === 1 && !this.capturingElement()) this.strParts.push(text.slice(this.strStart));
    if (this.inStr) this.strStart = 0;
    if (this.capturing && capStart >= 0) this.appendPart(text.slice(capStart) + '\n');
    return out;
  }

  /** End of input: an unfinished record is reported as truncated. */
  end(lastLine: number): DocPiece[] {
    if (this.capturing) {
      const line = this.capLine;
      this.capturing = false;
      this.parts = [];
      return [{ line, error: `truncated JSON: record starting at line ${line} never closes (file ends at line ${lastLine})` }];
    }
    if (this.depth > 0) return [{ line: lastLine, error: 'truncated JSON document: file ends inside an array or object' }];
    return [];
  }

  private capturingElement(): boolean {
    return this.capturing && !this.topCapture;
  }

  private startCapture(lineNo: number, depth: number): void {
    this.capturing = true;
    this.capDepth = depth;
    this.capLine = lineNo;
    this.parts = [];
    this.partsLen = 0;
    this.overflow = false;
  }

  private dropTopCapture(): void {
    this.topCapture = false;
    this.capturing = false;
    this.parts = [];
    this.partsLen = 0;
  }

  private appendPart(s: string): void {
    if (this.overflow) return;
    this.partsLen += s.length;
    if (this.partsLen > this.maxRecordBytes) {
      this.overflow = true;
      this.parts = [];
      return;
    }
    this.parts.push(s);
  }

  private finishCapture(): DocPiece {
    this.capturing = false;
    this.topCapture = false;
    const line = this.capLine;
    if (this.overflow) return { line, error: `record longer than ${this.maxRecordBytes} bytes` };
    const text = this.parts.join('');
    this.parts = [];
    return { line, text };
  }
}
