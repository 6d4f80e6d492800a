import * as core from '@actions/core';
import type { Timing } from './core/report.js';

/** Times each phase for the job summary, and shows each as a collapsible log group. */
export class Phases {
  readonly timings: Timing[] = [];
  async run<T>(phase: string, work: () => Promise<T> | T): Promise<T> {
    const start = Date.now();
    try {
      return await core.group(phase, async () => work());
    } finally {
      this.timings.push({ phase, ms: Date.now() - start });
    }
  }
}
