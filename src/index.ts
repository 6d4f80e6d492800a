/**
 * The action's entry point, for both the main step and the post step (`post: dist/index.js`):
 * the main step leaves `isPost` in the saved state, so the second run knows it is the post step.
 */
import * as core from '@actions/core';
import { ActionError, InputError, errorMessage, failureMessage } from './errors.js';
import { run } from './main.js';
import { post } from './post.js';
import { State } from './state.js';

async function entry(): Promise<void> {
  if (core.getState(State.isPost) === 'true') {
    try {
      await post();
    } catch (error) {
      core.warning(`Cleanup: ${errorMessage(error)}`); // cleanup never fails the job
    }
    return;
  }
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
