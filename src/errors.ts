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
