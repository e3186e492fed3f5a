/** The queue's filters: category (by group), area (the org tree of one's scope), channel, overdue, dates, text; and the exports. */
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, DatePicker, Input, Select, Space, Switch, TreeSelect } from 'antd';
import type { Dayjs } from 'dayjs';
import { exportUrl, listCategories, orgChildren } from './client.js';
import { CHANNELS, type Category, type Filters, type OrgUnit } from './types.js';

interface TreeNode { value: string; title: string; key: string; isLeaf?: boolean; children?: TreeNode[] }

const areaNode = (u: OrgUnit, lang: string): TreeNode => ({ value: u.code, key: u.code, title: (lang === 'en' && u.nameEn) || u.name, isLeaf: u.level === 'grid' });

/** Adds `kids` under the node `code` of a tree. */
export function graft(nodes: TreeNode[], code: string, kids: TreeNode[]): TreeNode[] {
  return nodes.map((n) => (n.value === code ? { ...n, children: kids, isLeaf: kids.length === 0 } : n.children ? { ...n, children: graft(n.children, code, kids) } : n));
}

export function FilterBar({ area, filters, onChange }: { area: OrgUnit; filters: Filters; onChange: (f: Filters) => void }) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const [cats, setCats] = useState<Category[]>([]);
  const [orgTree, setOrgTree] = useState<TreeNode[]>(() => [areaNode(area, i18n.language)]);
  const [text, setText] = useState(filters.q ?? '');
  const [dates, setDates] = useState<[Dayjs | null, Dayjs | null] | null>(null);

  useEffect(() => { listCategories().then(setCats, () => setCats([])); }, []);
  useEffect(() => { setOrgTree([areaNode(area, i18n.language)]); }, [area, i18n.language]);
  useEffect(() => { setText(filters.q ?? ''); }, [filters.q]);

  const catTree = useMemo(() => {
    const groups = new Map<string, TreeNode>();
    for (const c of cats) {
      const g = groups.get(c.group) ?? { value: c.group, key: c.group, title: en ? c.groupNameEn : c.groupName, children: [] };
      g.children!.push({ value: c.code, key: c.code, title: `${c.code} ${en ? c.nameEn : c.name}`, isLeaf: true });
      groups.set(c.group, g);
    }
    return [...groups.values()];
  }, [cats, en]);

  const set = (patch: Partial<Filters>) => onChange({ ...filters, ...patch });
  const loadOrg = async (node: { value?: unknown }) => {
    const code = String(node.value);
    const kids = await orgChildren(code, 'area').catch(() => []);
    setOrgTree((tree) => graft(tree, code, kids.map((u) => areaNode(u, i18n.language))));
  };
  const active = !!(filters.category?.length || filters.org || filters.channel || filters.overdue || filters.from || filters.to || filters.q);

  return (
    <section className="console-filters" aria-label={t('filter.title')}>
      <Space wrap size={[8, 8]}>
        <TreeSelect
          aria-label={t('filter.category')} placeholder={t('filter.category')} style={{ width: 220 }}
          treeData={catTree} value={filters.category ?? []} multiple treeCheckable showCheckedStrategy={TreeSelect.SHOW_PARENT}
          maxTagCount="responsive" allowClear showSearch={{ treeNodeFilterProp: 'title' }} popupMatchSelectWidth={320}
          onChange={(v: string[]) => set({ category: v.length ? v : undefined })}
        />
        <TreeSelect
          aria-label={t('filter.org')} placeholder={t('filter.org')} style={{ width: 200 }}
          treeData={orgTree} loadData={loadOrg} value={filters.org} allowClear treeDefaultExpandedKeys={[area.code]} popupMatchSelectWidth={280}
          onChange={(v?: string) => set({ org: v && v !== area.code ? v : undefined })}
        />
        <Select
          aria-label={t('filter.channel')} placeholder={t('filter.channel')} style={{ width: 130 }} allowClear
          value={filters.channel} options={CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) }))}
          onChange={(v) => set({ channel: v ?? undefined })}
        />
        <label className="console-switch">
          <Switch size="small" checked={!!filters.overdue} onChange={(v) => set({ overdue: v || undefined })} aria-label={t('filter.overdue')} />
          <span aria-hidden>{t('filter.overdue')}</span>
        </label>
        <span>
        <label htmlFor="console-from" className="console-sr-only">{t('filter.dates')} · {t('filter.dateFrom')}</label>
        <label htmlFor="console-to" className="console-sr-only">{t('filter.dates')} · {t('filter.dateTo')}</label>
        <DatePicker.RangePicker
          id={{ start: 'console-from', end: 'console-to' }} placeholder={[t('filter.dateFrom'), t('filter.dateTo')]} style={{ width: 250 }}
          value={dates} allowEmpty={[true, true]}
          onChange={(v) => {
            setDates(v as [Dayjs | null, Dayjs | null] | null);
            set({ from: v?.[0]?.startOf('day').toISOString(), to: v?.[1]?.add(1, 'day').startOf('day').toISOString() });
          }}
        />
        </span>
        <Input.Search
          aria-label={t('filter.search')} placeholder={t('filter.search')} style={{ width: 260 }} allowClear maxLength={100}
          value={text} onChange={(e) => setText(e.target.value)} onSearch={(v) => set({ q: v.trim() || undefined })} enterButton={t('common.search')}
        />
        {active && <Button type="link" onClick={() => { setDates(null); setText(''); onChange({ status: filters.status }); }}>{t('filter.reset')}</Button>}
      </Space>
      <Space>
        <Button href={exportUrl(filters, 'csv')} download>{t('export.csv')}</Button>
        <Button href={exportUrl(filters, 'xlsx')} download>{t('export.xlsx')}</Button>
      </Space>
    </section>
  );
}
