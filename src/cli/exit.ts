import { isBadInput, isReelforgeError } from '../errors.js';

/** Exit codes: 0 success, 1 failure, 2 bad input (the command or the file given to it is wrong). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

/** Prints an error for a person (what and where, no stack trace) and returns the exit code. */
export function reportError(e: unknown, write: (s: string) => void = (s) => process.stderr.write(s)): number {
  if (isReelforgeError(e)) {
    write(`error [${e.code}]: ${e.message}\n`);
    if (process.env.REELFORGE_DEBUG && e.stack) write(`${e.stack}\n`);
    return isBadInput(e) ? EXIT_BAD_INPUT : EXIT_FAILURE;
  }
  const message = e instanceof Error ? e.message : String(e);
  write(`error: ${message}\n`);
  if (process.env.REELFORGE_DEBUG && e instanceof Error && e.stack) write(`${e.stack}\n`);
  return EXIT_FAILURE;
}
