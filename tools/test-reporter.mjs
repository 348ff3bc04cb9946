// Reporter for `node --test`: one line per test, failures with their error, and a last line
// `N passed, N failed` that CI reads. Suites are not counted, only the tests inside them.
// The dashboard's Vitest run (scripts/test.sh) comes first and leaves a JSON report at
// STREAMCASTER_VITEST_REPORT, whose counts the last line includes; run as a script
// (`node tools/test-reporter.mjs`), it prints that line from the Vitest report alone.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { inspect } from 'node:util';

const cwd = process.cwd();
const where = (data) => (data.file ? relative(cwd, data.file) : '?');

export default async function* reporter(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    const data = event.data;
    switch (event.type) {
      case 'test:pass': {
        if (data.details?.type === 'suite') break;
        if (data.skip !== undefined || data.todo !== undefined) {
          skipped += 1;
          yield `skip ${where(data)} › ${data.name}\n`;
        } else {
          passed += 1;
          yield `ok   ${where(data)} › ${data.name} (${Math.round(data.details?.duration_ms ?? 0)} ms)\n`;
        }
        break;
      }
      case 'test:fail': {
        if (data.details?.type === 'suite' && data.details?.error?.failureType === 'subtestsFailed') break;
        failed += 1;
        const error = data.details?.error;
        const cause = error?.cause ?? error;
        yield `FAIL ${where(data)} › ${data.name}\n${indent(inspect(cause, { depth: 4 }))}\n`;
        break;
      }
      case 'test:stderr':
      case 'test:stdout':
        yield data.message;
        break;
      case 'test:diagnostic':
        if (data.level === 'error') yield `diagnostic: ${data.message}\n`;
        break;
      default:
        break;
    }
  }
  const vitest = vitestCounts();
  if (vitest) yield vitest.line;
  yield summary(passed + (vitest?.passed ?? 0), failed + (vitest?.failed ?? 0), skipped + (vitest?.skipped ?? 0));
}

function summary(passed, failed, skipped) {
  return `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
}

/**
 * The counts of the Vitest run, or null when there was none. A run that left no readable report
 * (it crashed, or its config broke) counts as one failure, so that it cannot pass unnoticed.
 */
function vitestCounts() {
  const path = process.env.STREAMCASTER_VITEST_REPORT;
  if (!path) return null;
  let report;
  try {
    report = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return { passed: 0, failed: 1, skipped: 0, line: `FAIL dashboard (Vitest): no report at ${path} (${error.code ?? error.message})\n` };
  }
  const passed = report.numPassedTests ?? 0;
  // A file that failed to load has no failed test of its own: count the file.
  const brokenFiles = (report.testResults ?? []).filter((file) => file.status === 'failed' && !(file.assertionResults ?? []).some((test) => test.status === 'failed')).length;
  const failed = (report.numFailedTests ?? 0) + brokenFiles;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  return { passed, failed, skipped, line: `dashboard (Vitest): ${passed} passed, ${failed} failed\n` };
}

if (import.meta.main) {
  const vitest = vitestCounts();
  if (vitest) process.stdout.write(vitest.line);
  process.stdout.write(summary(vitest?.passed ?? 0, vitest?.failed ?? 0, vitest?.skipped ?? 0));
  process.exitCode = vitest && vitest.failed > 0 ? 1 : 0;
}

function indent(text) {
  return text
    .split('\n')
    .map((line) => `     ${line}`)
    .join('\n');
}
