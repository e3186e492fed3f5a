import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-cli-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** The real command, on an embedded database of its own (PostgreSQL is covered by the other tests). */
function pingan(...args: string[]) {
  const r = spawnSync(path.resolve('node_modules/.bin/tsx'), [path.resolve('src/cli/main.ts'), ...args], {
    env: { ...process.env, PINGAN_DATA_DIR: dataDir, PINGAN_AUDIT_CHECKPOINT_FILE: path.join(dataDir, 'audit-checkpoints.jsonl'), DATABASE_URL: '', NODE_ENV: 'development' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('pingan CLI', () => {
  it('shows help listing every command', () => {
    const r = pingan('--help');
    expect(r.code).toBe(0);
    for (const c of ['serve', 'migrate', 'seed', 'import', 'export', 'locate']) expect(r.out).toContain(c);
  });

  it.each([
    [['locate', 'abc', '30'], /LON must be a number/],
    [['locate', '120', '95'], /LAT must be between -90 and 90/],
    [['locate', '120', '30', '--crs', 'utm'], /crs.*utm.*invalid|Allowed choices/i],
    [['seed', '--scale', 'huge'], /Allowed choices are demo, province/],
    [['seed', '--counties', '33x'], /6-digit county codes/],
    [['import', 'grids', '/nonexistent.geojson'], /FILE \/nonexistent.geojson does not exist/],
    [['frobnicate'], /unknown command/],
  ])('rejects %j with exit 2 and a message naming the argument', (args, message) => {
    const r = pingan(...args);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(message);
  });

  it('seeds, locates, exports, rejects a bad import without changing anything, and re-imports', () => {
    const seeded = pingan('seed', '--scale', 'province', '--counties', '330106');
    expect(seeded.code).toBe(0);
    expect(seeded.out).toMatch(/grid\s+area\s+\d+/);
    expect(pingan('seed').out).toMatch(/already holds an org tree/);

    const located = pingan('locate', '120.13', '30.26');
    expect(located.code).toBe(0);
    expect(JSON.parse(located.out).county.code).toBe('330106');
    expect(pingan('locate', '116.4', '39.9').code).toBe(2);

    const out = path.join(dataDir, 'grids.geojson');
    expect(pingan('export', 'grids', '--out', out).code).toBe(0);
    const fc = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(fc.features.length).toBeGreaterThan(100);

    const bad = path.join(dataDir, 'bad.geojson');
    const broken = structuredClone(fc);
    broken.features[7].geometry.coordinates[0].pop(); // open ring
    fs.writeFileSync(bad, JSON.stringify(broken));
    const rejected = pingan('import', 'grids', bad);
    expect(rejected.code).toBe(2);
    expect(rejected.out).toMatch(/feature #7: .*not closed/);

    fs.writeFileSync(bad, '{"type": "FeatureCollection", "features": [');
    expect(pingan('import', 'grids', bad).out).toMatch(/not valid JSON/);

    const again = pingan('import', 'grids', out);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/0 created, \d+ updated, 0 removed/);
  });

  it('manages accounts and keys, and its audit verify finds a row altered in the database', async () => {
    const created = pingan('user', 'create', '--username', 'cli.admin', '--org', '330106-center', '--role', 'sysadmin', '--phone', '13811112222');
    expect(created.code).toBe(0);
    expect(created.out).toMatch(/One-time password \(must be changed at first sign-in\): \S{16}/);
    expect(created.out).toMatch(/otpauth:\/\/totp\//);
    expect(pingan('user', 'create', '--username', 'cli.admin', '--org', '330106-center', '--role', 'sysadmin').out).toMatch(/is taken/);
    expect(pingan('user', 'create', '--username', 'x', '--org', '330106-center', '--role', 'king').code).toBe(2);
    expect(pingan('user', 'reset-password', 'cli.admin').out).toMatch(/New one-time password for cli.admin: \S{16}/);
    expect(pingan('user', 'lock', 'cli.admin').out).toMatch(/locked/);
    expect(pingan('user', 'unlock', 'cli.admin').out).toMatch(/unlocked/);
    expect(pingan('user', 'lock', 'nobody').code).toBe(2);
    const key = pingan('key', 'create', '--name', 'sensor', '--org', '330106', '--permissions', 'grids.locate');
    expect(key.out).toMatch(/Bearer <secret>"\): pak_[0-9a-f]{12}_\S{43}/);
    const id = /Created key (\d+)/.exec(key.out)![1];
    expect(pingan('key', 'revoke', id).out).toMatch(/revoked/);
    expect(pingan('key', 'create', '--name', 'x', '--org', '330106', '--permissions', 'users.manage').code).toBe(2);

    const ok = pingan('audit', 'verify');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/Audit log intact: \d+ rows/);
    expect(ok.out).toMatch(/No checkpoint yet/);
    expect(pingan('audit', 'verify', '--require-checkpoint').code).toBe(3);
    // the head signed outside the database; then the newest 5 rows deleted while nothing runs
    const cp = pingan('audit', 'checkpoint');
    expect(cp.code).toBe(0);
    const [, rowsCp, lastId] = /Checkpoint: (\d+) rows up to #(\d+)/.exec(cp.out)!.map(Number);
    expect(rowsCp).toBe(lastId);
    const held = pingan('audit', 'verify');
    expect(held.code).toBe(0);
    expect(held.out).toContain(`head #${lastId} `);
    expect(held.out).toContain(`Holds its latest checkpoint`);
    const { openDatabase } = await import('../platform/db/database.js');
    let db = await openDatabase({ dataDir });
    await db.exec(`ALTER TABLE audit_log DISABLE TRIGGER USER; DELETE FROM audit_log WHERE id > ${lastId - 5}; ALTER TABLE audit_log ENABLE TRIGGER USER;`);
    await db.close();
    const cut = pingan('audit', 'verify');
    expect(cut.code).toBe(3);
    expect(cut.out).toMatch(new RegExp(`AUDIT LOG INCOMPLETE: the log ends at row ${lastId - 5} .* rows were cut from its end`));
    // and the cut log is not signed as it is now
    expect(pingan('audit', 'checkpoint').code).toBe(3);

    // alter one row behind the application's back (the trigger must be switched off to do it)
    db = await openDatabase({ dataDir });
    await db.exec("ALTER TABLE audit_log DISABLE TRIGGER USER; UPDATE audit_log SET result = 'failure' WHERE id = 3; ALTER TABLE audit_log ENABLE TRIGGER USER;");
    await db.close();
    // production refuses the published demo passwords and a missing key
    const prod = (env: Record<string, string>) => spawnSync(process.execPath, ['--import', 'tsx', path.resolve('src/cli/main.ts'), 'serve'], {
      env: { ...process.env, PINGAN_DATA_DIR: dataDir, DATABASE_URL: '', NODE_ENV: 'production', PORT: '0', ...env }, encoding: 'utf8', timeout: 60_000,
    });
    const noKey = prod({});
    expect(noKey.status).not.toBe(0);
    expect(noKey.stderr).toMatch(/PINGAN_DATA_KEYS/);
    const demo = prod({ PINGAN_DATA_KEYS: `prod:${Buffer.alloc(32, 9).toString('base64')}` });
    expect(demo.status).not.toBe(0);
    expect(demo.stderr).toMatch(/demo account\(s\) are active/);

    const bad = pingan('audit', 'verify');
    expect(bad.code).toBe(3);
    expect(bad.out).toMatch(/AUDIT LOG TAMPERED at row 3/);
  }, 240_000);
});
