/**
 * What the main step has learnt so far, and its report: the outputs and the job summary, written
 * when the run succeeds and, with everything already known, when any phase fails.
 */
import * as core from '@actions/core';
import type { Plan } from './core/plan.js';
import {
  type ImageResult,
  failureMarkdown,
  imageResults,
  outputs,
  summaryMarkdown,
} from './core/report.js';
import { errorMessage, failureMessage } from './errors.js';
import { Phases } from './phases.js';
import * as runner from './runner.js';

export class Outcome {
  readonly phases = new Phases();
  plan?: Plan;
  images?: ImageResult[];
  /** The `summary` input; a run that fails before reading it still writes one. */
  summary = true;
  /** Values that must not reach the summary (the runner masks the log, not our Markdown). */
  secrets: string[] = [];

  async succeeded(): Promise<void> {
    if (!this.plan || !this.images) throw new Error('The run ended without a plan');
    runner.setOutputs(outputs(this.plan, this.images));
    if (this.summary)
      await runner.writeSummary(summaryMarkdown(this.plan, this.images, this.phases.timings));
  }

  /** Reports a failure as far as the run got; never throws, so the original error stays the one shown. */
  async failed(error: unknown): Promise<void> {
    try {
      const images = this.images ?? (this.plan ? imageResults(this.plan, new Map()) : []);
      if (this.plan) runner.setOutputs(outputs(this.plan, images));
      if (!this.summary) return;
      const failure = {
        phase: this.phases.failed ?? 'Setup',
        message: this.redact(failureMessage(error)),
      };
      await runner.writeSummary(failureMarkdown(failure, this.plan, images, this.phases.timings));
    } catch (reportError) {
      core.warning(`Could not write the failure report: ${errorMessage(reportError)}`);
    }
  }

  private redact(text: string): string {
    return this.secrets.reduce((shown, secret) => shown.replaceAll(secret, '***'), text);
  }
}
