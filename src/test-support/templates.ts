/**
 * Test databases. With TEST_DATABASE_URL every test file gets its own PostgreSQL database,
 * copied from a template; without it, its own in-memory PGlite loaded from a dump (creating a
 * PGlite cluster from scratch costs seconds, loading a dump about one). The templates are made
 * once per run by global-setup.ts: `empty` (no tables) and `fixture` (migrated, and seeded with
 * three counties at province scale: 西湖区 330106, the islands of 定海区 330902, and 兰溪市 330781
 * of the seed's story).
 */
export const FIXTURE_COUNTIES = ['330106', '330902', '330781'];
export type Template = 'empty' | 'fixture';

/** A run's PostgreSQL template names: unique per run, so two runs on one server (two worktrees) do not clash. */
export function pgTemplateNames(run: string): Record<Template, string> {
  return { empty: `pingan_tpl_${run}_empty`, fixture: `pingan_tpl_${run}_fixture` };
}

export function serverUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
