import * as core from '@actions/core';
import type { Timing } from './core/report.js';

/**
 * Times each phase for the job summary and remembers which one failed. A phase that logs shows as
 * a collapsible log group; one that logs nothing of its own is only timed (no empty group).
 */
export class Phases {
  readonly timings: Timing[] = [];
  failed?: string;

  async run<T>(phase: string, work: () => Promise<T> | T): Promise<T> {
    return this.time(phase, () => core.group(phase, async () => work()));
  }

  async quiet<T>(phase: string, work: () => Promise<T> | T): Promise<T> {
    return this.time(phase, work);
  }

  /**
   * A phase whose tool opens log groups of its own: Earthly does when GITHUB_ACTIONS is set, and
   * the runner does not nest groups, so this one gets a plain heading instead.
   */
  async ungrouped<T>(phase: string, work: () => Promise<T> | T): Promise<T> {
    core.info(`${phase}:`);
    return this.time(phase, work);
  }

  private async time<T>(phase: string, work: () => Promise<T> | T): Promise<T> {
    const start = Date.now();
    try {
      return await work();
    } catch (error) {
      this.failed ??= phase;
      throw error;
    } finally {
      this.timings.push({ phase, ms: Date.now() - start });
    }
  }
}
