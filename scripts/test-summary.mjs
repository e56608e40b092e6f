// Prints vitest's totals as one plain closing line ("N passed, N failed, N skipped") so the
// CI log states plainly how many tests ran.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'artifacts/vitest.json';
const report = JSON.parse(readFileSync(file, 'utf8'));
const skipped = report.numPendingTests + report.numTodoTests;
console.log(
  `tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`,
);
process.exit(report.numFailedTests > 0 || report.numTotalTests === 0 ? 1 : 0);
