/**
 * Sysadmin: the org tree of one's own area (loaded a level at a time), a search, the selected
 * unit's details, and — for holders of grids.import — grid import and export: a GeoJSON file is
 * checked (a dry run) or imported over HTTP (POST /api/v1/grids/import, ≤ 20 MB; bigger files
 * go through `npx pingan import grids FILE` on the server), and the selected unit's grids
 * download as GeoJSON to edit and import again.
 */
import { useEffect, useState } from 'react';
import { Alert, AutoComplete, Button, Card, Descriptions, Popconfirm, Space, Spin, Tag, Tree, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../shared/api.js';
import { LoadError, message } from './common.js';
import type { OrgUnit } from './types.js';

interface Node { key: string; title: React.ReactNode; isLeaf: boolean; children?: Node[]; unit: OrgUnit }
const KIND_COLOR: Record<string, string> = { area: 'blue', center: 'gold', platform: 'green', department: 'purple' };

/** The area of the caller's scope: their unit when it is an area, else the nearest area above it. */
export async function scopeArea(): Promise<OrgUnit> {
  const me = await api.get<{ org: { code: string } }>('/api/v1/users/me');
  const unit = await api.get<OrgUnit>(`/api/v1/org/units/${encodeURIComponent(me.org.code)}`);
  if (unit.kind === 'area') return unit;
  const up = await api.get<{ items: OrgUnit[] }>(`/api/v1/org/units/${encodeURIComponent(unit.code)}/ancestors`);
  return [...up.items].reverse().find((u) => u.kind === 'area') ?? unit;
}

export function OrgTab({ canImport }: { canImport: boolean }) {
  const { t, i18n } = useTranslation();
  const [tree, setTree] = useState<Node[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [selected, setSelected] = useState<OrgUnit | null>(null);
  const [options, setOptions] = useState<{ value: string; label: string; unit: OrgUnit }[]>([]);

  const node = (u: OrgUnit): Node => ({
    key: u.code, unit: u, isLeaf: u.kind !== 'area' || u.level === 'grid',
    title: <span>{u.name} <span className="muted">{u.code}</span> {u.kind !== 'area' && <Tag color={KIND_COLOR[u.kind]}>{t(`kind.${u.kind}`)}</Tag>}</span>,
  });
  const load = () => {
    setError(null);
    scopeArea().then((root) => { setTree([node(root)]); setSelected(root); }).catch(setError);
  };
  useEffect(load, []); // eslint-disable-line react-hooks/exhaustive-deps

  async function loadChildren(n: Node) {
    if (n.children) return;
    try {
      const r = await api.get<{ items: OrgUnit[] }>(`/api/v1/org/units/${encodeURIComponent(n.unit.code)}/children`);
      const attach = (list: Node[]): Node[] => list.map((x) => (x.key === n.key ? { ...x, children: r.items.map(node) } : x.children ? { ...x, children: attach(x.children) } : x));
      setTree((prev) => (prev ? attach(prev) : prev));
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section aria-labelledby="org-h">
      <h2 id="org-h" className="tab-title">{t('tab.org')}</h2>
      <div className="org-layout">
        <Card title={t('org.tree')} size="small">
          <AutoComplete style={{ width: '100%', marginBottom: 8 }} aria-label={t('org.search')} placeholder={t('org.search')} options={options}
            onSearch={(q) => {
              if (!q.trim()) return setOptions([]);
              api.get<{ items: OrgUnit[] }>(`/api/v1/org/search?q=${encodeURIComponent(q.trim())}&limit=15`)
                .then((r) => setOptions(r.items.map((u) => ({ value: u.code, label: `${u.name}（${u.code}）`, unit: u })))).catch(() => setOptions([]));
            }}
            onSelect={(_v, o) => setSelected((o as { unit: OrgUnit }).unit)} />
          {error ? <LoadError error={error} onRetry={load} /> : null}
          {tree ? <Tree<Node> treeData={tree} loadData={loadChildren} onSelect={(_k, info) => setSelected(info.node.unit)} defaultExpandedKeys={[tree[0].key]} height={520} aria-label={t('org.tree')} />
            : !error && <Spin />}
        </Card>
        <div className="org-side">
          <Card title={t('org.details')} size="small">
            {selected ? (
              <Descriptions column={1} size="small" items={[
                { key: 'code', label: t('org.code'), children: selected.code },
                { key: 'name', label: t('org.name'), children: i18n.language === 'en' && selected.nameEn ? selected.nameEn : selected.name },
                { key: 'level', label: t('org.level'), children: t(`level.${selected.level}`) },
                { key: 'kind', label: t('org.kind'), children: t(`kind.${selected.kind}`) },
                { key: 'type', label: t('org.type'), children: selected.type ?? '—' },
                { key: 'county', label: t('org.county'), children: selected.countyCode ?? '—' },
                { key: 'synthetic', label: t('org.synthetic'), children: selected.synthetic ? t('org.syntheticYes') : t('org.syntheticNo') },
              ]} />
            ) : <span className="muted">{t('org.pick')}</span>}
          </Card>
          {canImport && <GridImport unit={selected} />}
        </div>
      </div>
      {error && !tree ? <p className="muted">{message(error, i18n.language)}</p> : null}
    </section>
  );
}

interface ImportResult { villages: number; created: number; updated: number; removed: number; dryRun: boolean }

/** The server takes files up to this size (IMPORT_BODY_LIMIT); bigger ones go through the command line. */
const MAX_UPLOAD = 20 * 1_048_576;
const EXAMPLE = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"330106001001001","name":"第一网格","parent_code":"330106001001"},"geometry":{"type":"Polygon","coordinates":[[[120.1,30.2],[120.11,30.2],[120.11,30.21],[120.1,30.2]]]}}]}`;

function GridImport({ unit }: { unit: OrgUnit | null }) {
  const { t, i18n } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState<'check' | 'import' | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function send(dryRun: boolean) {
    if (!file) return;
    setResult(null);
    setError(null);
    if (file.size > MAX_UPLOAD) return setError(t('grid.tooBig', { size: `${(file.size / 1_048_576).toFixed(1)} MB` }));
    setBusy(dryRun ? 'check' : 'import');
    try {
      // the file as it is: the server parses and checks it, and names each bad feature
      setResult(await api.post<ImportResult>(`/api/v1/grids/import${dryRun ? '?dryRun=true' : ''}`, file.slice(0, file.size, 'application/geo+json')));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }

  const say = (m: { zh: string; en: string }) => (i18n.language.startsWith('en') ? m.en : m.zh);
  const details = error instanceof ApiError ? (error.details ?? []) : [];
  return (
    <Card title={t('grid.title')} size="small" className="grid-import">
      <Typography.Paragraph>{t('grid.intro')}</Typography.Paragraph>
      <div className="grid-file">
        <label htmlFor="grid-file">{t('grid.file')}</label>
        <input id="grid-file" type="file" accept=".geojson,.json,application/geo+json,application/json"
          onChange={(e) => { setFile(e.target.files?.[0] ?? null); setResult(null); setError(null); }} />
      </div>
      <Space wrap style={{ marginBottom: 12 }}>
        <Button onClick={() => send(true)} disabled={!file || busy !== null} loading={busy === 'check'}>{t('grid.check')}</Button>
        <Popconfirm title={t('grid.confirm')} onConfirm={() => send(false)} okText={t('common.ok')} cancelText={t('common.cancel')} disabled={!file || busy !== null}>
          <Button type="primary" disabled={!file || busy !== null}>{t('grid.import')}</Button>
        </Popconfirm>
        {/* a spinner beside the button, not in it: antd's loading icon lingers in the button's name ("loading 导入") */}
        {busy === 'import' && <Spin size="small" aria-label={t('common.loading')} />}
      </Space>
      <div className="grid-outcome" aria-live="polite">
        {result && (
          <Alert type="success" showIcon title={t(result.dryRun ? 'grid.checked' : 'grid.imported')} style={{ marginBottom: 12 }}
            description={<Descriptions column={2} size="small" items={(['villages', 'created', 'updated', 'removed'] as const).map((k) => ({ key: k, label: t(`grid.${k}`), children: <span data-testid={`grid-${k}`}>{result[k]}</span> }))} />} />
        )}
        {error ? (
          <Alert type="error" showIcon style={{ marginBottom: 12 }}
            title={error instanceof ApiError && error.code === 'BAD_REQUEST' ? t('grid.notJson') : typeof error === 'string' ? error : message(error, i18n.language)}
            description={details.length > 1 || (error instanceof ApiError && error.code === 'BAD_REQUEST') ? (
              <ul className="grid-errors">
                {error instanceof ApiError && error.code === 'BAD_REQUEST' && <li>{error.say(i18n.language)}</li>}
                {details.slice(0, 10).map((d, i) => <li key={i}>{d.index !== undefined && t('grid.feature', { index: d.index })}{say(d.message)}</li>)}
                {details.length > 10 && <li>{t('grid.more', { n: details.length - 10 })}</li>}
              </ul>
            ) : undefined} />
        ) : null}
      </div>
      {unit && unit.kind === 'area' && (
        <Typography.Paragraph>
          <a className="ant-btn" href={`/api/v1/grids/export?under=${encodeURIComponent(unit.code)}`} download>{t('grid.export', { name: unit.name })}</a>
          <span className="muted"> {t('grid.exportHint')}</span>
        </Typography.Paragraph>
      )}
      <Typography.Paragraph type="secondary" className="cli-line">
        {t('grid.cli')}<Typography.Text copyable code>npx pingan import grids FILE</Typography.Text>
      </Typography.Paragraph>
      <Typography.Paragraph type="secondary">{t('grid.format')}</Typography.Paragraph>
      <Typography.Paragraph copyable={{ text: EXAMPLE }} className="example"><code>{EXAMPLE}</code></Typography.Paragraph>
    </Card>
  );
}
