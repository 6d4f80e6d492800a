/**
 * The post step's own entry point (`post: dist/post/index.js`), bundled apart from the main step:
 * nothing in the job's environment can turn a main step into a post step.
 */
import * as core from '@actions/core';
import { errorMessage } from './errors.js';
import { post } from './post.js';

try {
  await post();
} catch (error) {
  core.warning(`Cleanup: ${errorMessage(error)}`); // cleanup never fails the job
}
