/** Turns chunks of a child's output into whole lines; a partial last line waits for its end. */
export class LineSplitter {
  private pending = '';
  /** The last chunk ended in \r: a \n opening the next one belongs to that same line end. */
  private endedInCarriageReturn = false;

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const continued = this.endedInCarriageReturn && chunk.startsWith('\n') ? chunk.slice(1) : chunk;
    if (chunk.length > 0) this.endedInCarriageReturn = chunk.endsWith('\r');
    const text = this.pending + continued;
    const lines = text.split(/\r\n|\n|\r/);
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
  }

  flush(): void {
    if (this.pending) this.onLine(this.pending);
    this.pending = '';
  }
}
