/**
 * The tests Stryker runs against each mutant (`npm run mutate`): each rule file's own tests
 * (MUTATE_TESTS, comma-separated globs, widens the set). The in-process HTTP tests, the browser
 * tests and the tests that spawn servers are left out by default: with them a mutant costs
 * seconds to minutes; a mutant only they would kill counts as survived.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

const DEFAULT = ['src/platform/auth/actor.test.ts', 'src/modules/events/events.lifecycle.test.ts', 'src/modules/events/intake-limits.test.ts'];

export default defineConfig({
  test: { ...base.test, include: process.env.MUTATE_TESTS ? process.env.MUTATE_TESTS.split(',') : DEFAULT },
});
