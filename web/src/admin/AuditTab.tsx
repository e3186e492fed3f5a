/** Auditor: the audit log of the org subtree with filters, pages and CSV / NDJSON export. Reading it is itself audited. */
import { useEffect, useState } from 'react';
import { Button, DatePicker, Form, Input, InputNumber, Select, Space, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../shared/api.js';
import { fieldError, LoadError, when } from './common.js';
import type { AuditRow } from './types.js';

interface Values { range?: [Dayjs | null, Dayjs | null] | null; actorId?: number | null; action?: string; result?: string; targetType?: string; targetId?: string }
const FIELDS = ['range', 'actorId', 'action', 'result', 'targetType', 'targetId'];
const RESULT_COLOR: Record<string, string> = { success: 'green', failure: 'orange', denied: 'red' };

function filtersOf(v: Values): URLSearchParams {
  const p = new URLSearchParams();
  if (v.range?.[0]) p.set('from', v.range[0].toISOString());
  if (v.range?.[1]) p.set('to', v.range[1].toISOString());
  if (v.actorId) p.set('actorId', String(v.actorId));
  for (const k of ['action', 'result', 'targetType', 'targetId'] as const) if (v[k]?.trim()) p.set(k, v[k]!.trim());
  return p;
}

export function AuditTab() {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [rows, setRows] = useState<AuditRow[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [filters, setFilters] = useState(new URLSearchParams());
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);

  async function load(p: URLSearchParams, before: number | null) {
    setLoading(true);
    setError(null);
    const q = new URLSearchParams(p);
    q.set('limit', '50');
    if (before) q.set('before', String(before));
    try {
      const r = await api.get<{ items: AuditRow[]; next: number | null }>(`/api/v1/audit?${q}`);
      setRows((prev) => (before ? [...prev, ...r.items] : r.items));
      setNext(r.next);
      setFilters(p);
    } catch (e) {
      // a filter the server refused goes next to its field; anything else above the table
      const field = e instanceof ApiError && (e.field === 'from' || e.field === 'to') ? new ApiError(e.status, e.code, e.text, 'range') : e;
      if (fieldError(form, field, i18n.language, FIELDS) !== null) setError(e);
    } finally {
      setLoading(false);
    }
  }
  // the first page, without filters
  useEffect(() => { void load(new URLSearchParams(), null); }, []); // eslint-disable-line react-hooks/exhaustive-deps

  const exportQuery = (format: string) => { const q = new URLSearchParams(filters); q.set('format', format); return `/api/v1/audit/export?${q}`; };

  return (
    <section aria-labelledby="audit-h">
      <h2 id="audit-h" className="tab-title">{t('tab.audit')}</h2>
      <fieldset className="inline-form">
        <legend>{t('audit.filters')}</legend>
        <Form form={form} layout="inline" name="audit" onFinish={(v) => load(filtersOf(v), null)} className="audit-filters">
          <Form.Item name="range" label={t('audit.range')}><DatePicker.RangePicker showTime allowEmpty={[true, true]} /></Form.Item>
          <Form.Item name="actorId" label={t('audit.actorId')}><InputNumber min={1} precision={0} style={{ width: 110 }} /></Form.Item>
          <Form.Item name="action" label={t('audit.action')} extra={t('audit.actionHint')}><Input style={{ width: 170 }} placeholder="auth.login / user.*" /></Form.Item>
          <Form.Item name="result" label={t('audit.result')}>
            <Select allowClear style={{ width: 120 }} options={['success', 'failure', 'denied'].map((r) => ({ value: r, label: t(`result.${r}`) }))} />
          </Form.Item>
          <Form.Item name="targetType" label={t('audit.targetType')}><Input style={{ width: 130 }} placeholder="user / event" /></Form.Item>
          <Form.Item name="targetId" label={t('audit.targetId')}><Input style={{ width: 110 }} /></Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" loading={loading}>{t('common.search')}</Button>
              <Button onClick={() => { form.resetFields(); void load(new URLSearchParams(), null); }}>{t('audit.clear')}</Button>
            </Space>
          </Form.Item>
        </Form>
      </fieldset>
      <Space style={{ marginBottom: 12 }} wrap>
        <a className="ant-btn ant-btn-default" href={exportQuery('csv')} download="audit.csv">{t('audit.exportCsv')}</a>
        <a className="ant-btn ant-btn-default" href={exportQuery('ndjson')} download="audit.ndjson">{t('audit.exportNdjson')}</a>
        <span className="muted">{t('audit.exportHint')}</span>
      </Space>
      {error ? <LoadError error={error} onRetry={() => void load(filters, null)} /> : null}
      <Table<AuditRow> rowKey="id" size="small" loading={loading} dataSource={rows} pagination={false} scroll={{ x: 1100 }} locale={{ emptyText: t('audit.none') }}
        expandable={{ expandedRowRender: (r) => <AuditDetail row={r} />, rowExpandable: () => true }}
        columns={[
          { title: t('audit.at'), dataIndex: 'at', render: when, width: 170 },
          { title: t('audit.actor'), render: (_, r) => <>{r.actorName ?? '—'}{r.actorId ? <span className="muted"> #{r.actorId}</span> : null}</> },
          { title: t('audit.role'), dataIndex: 'actorRole', render: (x: string | null) => (x ? x.split(',').map((r) => (i18n.exists(`role.${r}`) ? t(`role.${r}`) : r)).join('、') : '—') },
          { title: t('audit.action'), dataIndex: 'action', render: (a) => <code>{a}</code> },
          { title: t('audit.target'), render: (_, r) => (r.targetType ? `${r.targetType}${r.targetId ? ` ${r.targetId}` : ''}` : '—') },
          { title: t('audit.result'), dataIndex: 'result', render: (x) => <Tag color={RESULT_COLOR[x]}>{t(`result.${x}`)}</Tag> },
          { title: t('audit.reason'), dataIndex: 'reason', render: (x) => x ?? '' },
          { title: 'IP', dataIndex: 'ip', render: (x) => x ?? '—' },
        ]} />
      {next && <Button style={{ marginTop: 12 }} loading={loading} onClick={() => void load(filters, next)}>{t('audit.more')}</Button>}
    </section>
  );
}

function AuditDetail({ row }: { row: AuditRow }) {
  const { t } = useTranslation();
  return (
    <div className="audit-detail">
      <Typography.Text type="secondary">{t('audit.hash')}：</Typography.Text><code>{row.hash}</code><br />
      <Typography.Text type="secondary">{t('audit.prevHash')}：</Typography.Text><code>{row.prevHash ?? '—'}</code><br />
      <Typography.Text type="secondary">User-Agent：</Typography.Text>{row.userAgent ?? '—'}
      {row.details && <pre>{JSON.stringify(row.details, null, 2)}</pre>}
    </div>
  );
}

