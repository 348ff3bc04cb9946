// Reporter for `node --test`: one line per test, failures with their error, and a last line
// `N passed, N failed` that CI reads. Suites are not counted, only the tests inside them.
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
  yield `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
}

function indent(text) {
  return text
    .split('\n')
    .map((line) => `     ${line}`)
    .join('\n');
}
