/**
 * A line a service prints to stdout starting with this marker is meant for the person at the console
 * only (a generated first-admin password): the stack runner echoes it to its console and keeps it out
 * of `var/run/logs/<service>.log`. Print such lines with `printConsoleOnly`, never through a logger.
 */
export const CONSOLE_ONLY_MARKER = '[console-only] ';

/** The text as stdout lines, each carrying the marker (a multi-line text stays console-only throughout). */
export function consoleOnlyLines(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => `${CONSOLE_ONLY_MARKER}${line}\n`)
    .join('');
}

/** Writes the text to stdout in one write, so that no other output interleaves with its lines. */
export function printConsoleOnly(text: string): void {
  process.stdout.write(consoleOnlyLines(text));
}
