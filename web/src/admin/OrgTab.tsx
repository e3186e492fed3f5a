/**
 * Sysadmin: the org tree of one's own area (loaded a level at a time), a search, the selected
 * unit's details, and grid import. The server has no HTTP route for grid import: it is the
 * command line (`npx pingan import grids FILE`), explained here.
 */
import { useEffect, useState } from 'react';
import { Alert, AutoComplete, Card, Descriptions, Spin, Tag, Tree, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../shared/api.js';
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

export function OrgTab() {
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
          <GridImport />
        </div>
      </div>
      {error && !tree ? <p className="muted">{message(error, i18n.language)}</p> : null}
    </section>
  );
}

function GridImport() {
  const { t } = useTranslation();
  const example = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"330106001001001","name":"第一网格","parent_code":"330106001001"},"geometry":{"type":"Polygon","coordinates":[[[120.1,30.2],[120.11,30.2],[120.11,30.21],[120.1,30.2]]]}}]}`;
  return (
    <Card title={t('grid.title')} size="small" className="grid-import">
      <Alert type="info" showIcon title={t('grid.noHttp')} style={{ marginBottom: 12 }} />
      <ol className="steps">
        <li>{t('grid.step1')}</li>
        <li>{t('grid.step2')}<Typography.Paragraph copyable code className="cli">npx pingan import grids FILE</Typography.Paragraph></li>
        <li>{t('grid.step3')}</li>
      </ol>
      <Typography.Paragraph type="secondary">{t('grid.format')}</Typography.Paragraph>
      <Typography.Paragraph copyable={{ text: example }} className="example"><code>{example}</code></Typography.Paragraph>
    </Card>
  );
}
