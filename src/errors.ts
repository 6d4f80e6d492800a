/** A problem with one workflow input: reported as one line naming the input, before anything runs. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    readonly rule: string,
  ) {
    super(`${input}: ${rule}`);
    this.name = 'InputError';
  }
}

/** A failure the user can act on; its message is complete and needs no stack trace. */
export class ActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Warnings worth repeating in whatever error ends the run (e.g. a YAML number taken literally). */
const hints: string[] = [];

export function addFailureHint(hint: string): void {
  hints.push(hint);
}

/** The message the run fails with: the error, then any hint given earlier. */
export function failureMessage(error: unknown): string {
  return [errorMessage(error), ...hints.map((hint) => `(${hint})`)].join(' ');
}
