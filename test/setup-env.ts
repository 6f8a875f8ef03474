import { existsSync, readFileSync } from 'node:fs';
import { STACK_FILE_ENV } from './stack-file';
import type { TestStack } from './stack-file';

// Runs before every test file: points the usual variables (TEMPORAL_ADDRESS, SMTP_URL, ...) at the
// servers of this jest run, overriding whatever the shell had (a running `npm start` is left alone).
// Without the file (a custom jest config without the global setup) it changes nothing.
const file = process.env[STACK_FILE_ENV];
if (file && existsSync(file)) {
  const stack = JSON.parse(readFileSync(file, 'utf8')) as TestStack;
  Object.assign(process.env, stack);
}
