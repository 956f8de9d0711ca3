/**
 * Inbound framing for the client: splits decoded text into lines with bounded
 * memory. A line longer than `maxChars` is discarded up to the next delimiter,
 * whatever the console sends.
 */
export class LineSplitter {
  private buffer = '';
  private discarding = false;

  constructor(
    private readonly maxChars: number,
    private readonly delimiter = '\n',
  ) {
    if (delimiter.length === 0) throw new Error('the message delimiter must not be empty');
  }

  /** Calls `onLine` for each complete, non-blank line; `onOversized` once per discarded line. */
  push(chunk: string, onLine: (line: string) => void, onOversized: () => void): void {
    const data = this.buffer + chunk;
    this.buffer = '';
    let start = 0;
    for (;;) {
      const i = data.indexOf(this.delimiter, start);
      if (i < 0) break;
      if (this.discarding) {
        this.discarding = false;
      } else {
        let line = data.slice(start, i);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line.length > this.maxChars) onOversized();
        else if (line.trim().length > 0) onLine(line);
      }
      start = i + this.delimiter.length;
    }
    if (this.discarding) return;
    const rest = data.slice(start);
    if (rest.length > this.maxChars) {
      this.discarding = true;
      onOversized();
    } else {
      this.buffer = rest;
    }
  }

  reset(): void {
    this.buffer = '';
    this.discarding = false;
  }
}
