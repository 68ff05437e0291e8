/**
 * `node --import ./report-loads.mjs …` writes `spoor-test loaded NAME` to stderr the first time
 * the process resolves one of the packages named in SPOOR_TEST_REPORT_LOADS (comma-separated):
 * how a test sees which dependencies a running server has loaded.
 */
import { register } from 'node:module';

if (process.env.SPOOR_TEST_REPORT_LOADS !== undefined) register(import.meta.url, { data: { watched: process.env.SPOOR_TEST_REPORT_LOADS.split(',') } });

let watched = [];
const reported = new Set();

export async function initialize(data) {
  watched = data.watched;
}

export async function resolve(specifier, context, next) {
  const name = watched.find((w) => specifier === w || specifier.startsWith(`${w}/`));
  if (name !== undefined && !reported.has(name)) {
    reported.add(name);
    process.stderr.write(`spoor-test loaded ${name}\n`);
  }
  return next(specifier, context);
}
