/**
 * Sysadmin: categories and their time limits. Every save writes a whole new version
 * (PUT /api/v1/event-categories/:code with the version edited); cases keep the version they began with.
 */
import { useMemo, useState } from 'react';
import { Alert, App, Button, Drawer, Form, Input, InputNumber, Select, Space, Switch, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../shared/api.js';
import { LoadError, submitWith, useLoad, when } from './common.js';
import { STAGES, type Category, type CategoryVersion, type Limit, type Stage } from './types.js';

type Values = Pick<Category, 'name' | 'nameEn' | 'priority' | 'urgent' | 'evidenceRequired' | 'active' | 'limits' | 'publication'> & { closure: { zh: string; en: string } };
const FIELDS = ['name', 'nameEn', 'priority', 'urgent', 'evidenceRequired', 'active', 'publication', 'closure.zh', 'closure.en',
  ...STAGES.flatMap((s) => [`limits.${s}.amount`, `limits.${s}.unit`])];

export function useLimitText() {
  const { t } = useTranslation();
  return (l: Record<Stage, Limit>) => STAGES.map((s) => `${t(`stage.${s}`)} ${l[s].amount}${t(`unit.${l[s].unit}`)}`).join(' · ');
}

export function CategoriesTab() {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const list = useLoad<{ items: Category[] }>('/api/v1/event-categories?all=true');
  const [filter, setFilter] = useState('');
  const [editing, setEditing] = useState<string | null>(null);
  const limitText = useLimitText();
  const rows = useMemo(() => (list.data?.items ?? []).filter((c) => !filter || c.code.startsWith(filter) || c.name.includes(filter) || c.nameEn.toLowerCase().includes(filter.toLowerCase()) || c.groupName.includes(filter)), [list.data, filter]);

  return (
    <section aria-labelledby="cat-h">
      <h2 id="cat-h" className="tab-title">{t('tab.categories')}</h2>
      <Input.Search aria-label={t('cat.filter')} placeholder={t('cat.filter')} allowClear onChange={(e) => setFilter(e.target.value.trim())} style={{ width: 280, marginBottom: 12 }} />
      {list.error ? <LoadError error={list.error} onRetry={list.reload} /> : null}
      <Table<Category> rowKey="code" size="small" loading={list.loading} dataSource={rows} pagination={{ pageSize: 20, showSizeChanger: false }} scroll={{ x: 1000 }} locale={{ emptyText: t('common.empty') }}
        columns={[
          { title: t('cat.code'), dataIndex: 'code', width: 70 },
          { title: t('cat.group'), render: (_, c) => (en ? c.groupNameEn : c.groupName), width: 120 },
          { title: t('cat.name'), render: (_, c) => <>{en ? c.nameEn : c.name}{c.urgent && <Tag color="red" style={{ marginLeft: 6 }}>{t('cat.urgent')}</Tag>}</> },
          { title: t('cat.priority'), dataIndex: 'priority', width: 70 },
          { title: t('cat.limits'), render: (_, c) => <span className="limits">{limitText(c.limits)}</span> },
          { title: t('cat.version'), dataIndex: 'version', width: 60 },
          { title: t('cat.active'), render: (_, c) => (c.active ? <Tag color="green">{t('cat.on')}</Tag> : <Tag>{t('cat.off')}</Tag>), width: 80 },
          { title: t('common.actions'), width: 90, render: (_, c) => <Button size="small" onClick={() => setEditing(c.code)} aria-label={`${t('cat.edit')} ${c.name}`}>{t('cat.edit')}</Button> },
        ]} />
      {editing && <EditCategory code={editing} onClose={() => setEditing(null)} onSaved={list.reload} />}
    </section>
  );
}

function EditCategory({ code, onClose, onSaved }: { code: string; onClose: () => void; onSaved: () => void }) {
  const { t, i18n } = useTranslation();
  const { message: toast } = App.useApp();
  const cat = useLoad<Category>(`/api/v1/event-categories/${code}`);
  const versions = useLoad<{ items: CategoryVersion[] }>(`/api/v1/event-categories/${code}/versions`);
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const limitText = useLimitText();
  const c = cat.data;

  async function submit(v: Values) {
    if (!c) return;
    setBusy(true);
    const body = {
      version: c.version, name: v.name, nameEn: v.nameEn, handler: c.handler, priority: v.priority, limits: v.limits,
      evidenceRequired: v.evidenceRequired, closure: v.closure, urgent: v.urgent, keywords: c.keywords, fields: c.fields, active: v.active, publication: v.publication,
    };
    const saved = await submitWith(form, FIELDS, i18n.language, setError, () => api.put<Category>(`/api/v1/event-categories/${code}`, body));
    setBusy(false);
    if (saved) {
      toast.success(t('cat.saved', { version: saved.version }));
      cat.setData(saved);
      versions.reload();
      onSaved();
    }
  }

  return (
    <Drawer open size="large" title={c ? `${t('cat.edit')}：${c.code} ${c.name}` : t('common.loading')} onClose={onClose} destroyOnHidden
      extra={<Space><Button onClick={onClose}>{t('common.close')}</Button><Button type="primary" loading={busy} disabled={!c} onClick={() => form.submit()}>{t('common.save')}</Button></Space>}>
      {cat.error ? <LoadError error={cat.error} onRetry={cat.reload} /> : null}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} action={<Button size="small" onClick={() => { setError(null); cat.reload(); }}>{t('cat.reload')}</Button>} />}
      {c && (
        <Form key={c.version} form={form} layout="vertical" onFinish={submit} name="category" initialValues={{ ...c }}>
          <Space wrap align="start">
            <Form.Item name="name" label={t('cat.name')} rules={[{ required: true, message: t('common.required') }]}><Input maxLength={40} /></Form.Item>
            <Form.Item name="nameEn" label={t('cat.nameEn')} rules={[{ required: true, message: t('common.required') }]}><Input maxLength={80} /></Form.Item>
            <Form.Item name="priority" label={t('cat.priority')}>
              <Select style={{ width: 100 }} options={[1, 2, 3, 4].map((p) => ({ value: p, label: t(`cat.p${p}`) }))} />
            </Form.Item>
          </Space>
          <fieldset className="limits-set">
            <legend>{t('cat.limitsTitle')}</legend>
            {STAGES.map((s) => (
              <div key={s} className="limit-row">
                <Form.Item name={['limits', s, 'amount']} label={t(`stage.${s}`)} style={{ width: 220 }} rules={[{ required: true, message: t('common.required') }, { type: 'integer', min: 1, message: t('cat.amountRule') }]}>
                  <InputNumber style={{ width: 120 }} precision={0} />
                </Form.Item>
                <Form.Item name={['limits', s, 'unit']} label={`${t(`stage.${s}`)}${t('cat.unitSuffix')}`}>
                  <Select style={{ width: 110 }} options={(['minutes', 'hours', 'workdays'] as const).map((u) => ({ value: u, label: t(`unit.${u}`) }))} />
                </Form.Item>
              </div>
            ))}
          </fieldset>
          <Space wrap size="large">
            <Form.Item name="urgent" label={t('cat.urgent')} valuePropName="checked"><Switch /></Form.Item>
            <Form.Item name="evidenceRequired" label={t('cat.evidence')} valuePropName="checked"><Switch /></Form.Item>
            <Form.Item name="active" label={t('cat.active')} valuePropName="checked"><Switch /></Form.Item>
            <Form.Item name="publication" label={t('cat.publication')}>
              <Select style={{ width: 200 }} options={(['public', 'counted', 'private'] as const).map((p) => ({ value: p, label: t(`cat.pub.${p}`) }))} />
            </Form.Item>
          </Space>
          <Form.Item name={['closure', 'zh']} label={t('cat.closureZh')} rules={[{ required: true, message: t('common.required') }]}><Input.TextArea rows={2} maxLength={300} /></Form.Item>
          <Form.Item name={['closure', 'en']} label={t('cat.closureEn')} rules={[{ required: true, message: t('common.required') }]}><Input.TextArea rows={2} maxLength={300} /></Form.Item>
        </Form>
      )}
      <h3>{t('cat.versions')}</h3>
      {versions.error ? <LoadError error={versions.error} onRetry={versions.reload} /> : null}
      <Table<CategoryVersion> rowKey="version" size="small" loading={versions.loading} dataSource={versions.data?.items ?? []} pagination={false} aria-label={t('cat.versions')}
        className="versions" locale={{ emptyText: t('common.empty') }}
        columns={[
          { title: t('cat.version'), dataIndex: 'version', width: 60 },
          { title: t('cat.savedAt'), dataIndex: 'createdAt', render: when, width: 170 },
          { title: t('cat.savedBy'), dataIndex: 'createdBy', render: (b) => (b === null ? t('cat.seed') : `#${b}`), width: 80 },
          { title: t('cat.limits'), render: (_, v) => limitText(v.data.limits) },
        ]} />
    </Drawer>
  );
}
