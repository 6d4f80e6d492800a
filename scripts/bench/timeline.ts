// Timestamps an action step's log lines as they arrive, and reads phase spans from them.
// Node writes to pipes synchronously on Linux, so a line's arrival time is when it was written
// (within a millisecond or so while the benchmark's own event loop is idle).
import { performance } from 'node:perf_hooks';

export interface TimedLine {
  ms: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface Span {
  start: number;
  end: number;
}

export class Timeline {
  readonly lines: TimedLine[] = [];
  private partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };

  /** Pass as runAction's `onData`. */
  readonly onData = (stream: 'stdout' | 'stderr', data: Buffer): void => {
    const ms = performance.now();
    const parts = (this.partial[stream] + data.toString('utf8')).split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const text of parts) this.lines.push({ ms, stream, text });
  };

  /** The first line matching `pattern`. */
  find(pattern: RegExp): TimedLine | undefined {
    return this.lines.find((line) => pattern.test(line.text));
  }

  /** When each `::group::NAME` … `::endgroup::` (a core.group phase) started and ended. */
  groups(): Map<string, Span> {
    const spans = new Map<string, Span>();
    let open: { name: string; start: number } | undefined;
    for (const line of this.lines) {
      const group = /^::group::(.*)$/.exec(line.text);
      if (group) open = { name: group[1], start: line.ms };
      else if (line.text === '::endgroup::' && open) {
        spans.set(open.name, { start: open.start, end: line.ms });
        open = undefined;
      }
    }
    return spans;
  }

  /** Milliseconds from the start of group `from` to the end of group `to`. */
  between(from: string, to: string): number {
    const groups = this.groups();
    const a = groups.get(from);
    const b = groups.get(to);
    if (!a || !b) throw new Error(`no ${!a ? from : to} phase in the log`);
    return b.end - a.start;
  }

  /** Duration of one group. */
  phase(name: string): number {
    const span = this.groups().get(name);
    if (!span) throw new Error(`no ${name} phase in the log`);
    return span.end - span.start;
  }
}
