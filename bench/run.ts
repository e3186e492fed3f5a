/**
 * Benchmarks. `npm run bench -- locate` | `startup` | `auth` | `events` | `dashboard` | `all`.
 * They print figures and ratios measured in the same run, against the goals of the issue;
 * absolute times on a shared 2-core machine are noise, ratios less so.
 */
import { locateBench } from './locate.bench.js';
import { startupBench } from './startup.bench.js';
import { authBench } from './auth.bench.js';
import { eventsBench } from './events.bench.js';
import { dashboardBench } from './dashboard.bench.js';

const which = process.argv[2] ?? 'all';
const benches: Record<string, () => Promise<void>> = { locate: locateBench, startup: startupBench, auth: authBench, events: eventsBench, dashboard: dashboardBench };
if (which !== 'all' && !benches[which]) {
  console.error(`unknown benchmark "${which}": use ${Object.keys(benches).join(', ')} or all`);
  process.exit(2);
}
for (const [name, run] of Object.entries(benches)) if (which === 'all' || which === name) await run();
