/** The main step's entry point (`main: dist/index.js`); the post step has its own (post-entry.ts). */
import * as core from '@actions/core';
import { ActionError, InputError, failureMessage } from './errors.js';
import { run } from './main.js';

async function entry(): Promise<void> {
  try {
    await run();
  } catch (error) {
    // Known failures carry a complete message; anything else keeps its stack in the debug log.
    if (
      !(error instanceof InputError || error instanceof ActionError) &&
      error instanceof Error &&
      error.stack
    ) {
      core.debug(error.stack);
    }
    core.setFailed(failureMessage(error));
  }
}

await entry();
