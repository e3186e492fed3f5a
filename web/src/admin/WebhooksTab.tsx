/** Sysadmin: webhooks of the org subtree (a signed POST per case change): list, create (secret shown once), disable, deliveries. */
import { useState } from 'react';
import { Alert, App, Button, Form, Input, Popconfirm, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../shared/api.js';
import { LoadError, OrgCodeInput, ShowOnce, message, submitWith, useLoad, when } from './common.js';
import type { Delivery, Webhook } from './types.js';

interface Values { name: string; url: string; orgCode: string }

export function WebhooksTab() {
  const { t, i18n } = useTranslation();
  const { message: toast } = App.useApp();
  const list = useLoad<{ items: Webhook[] }>('/api/v1/webhooks');
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);

  async function create(v: Values) {
    setBusy(true);
    const r = await submitWith(form, ['name', 'url', 'orgCode'], i18n.language, setError,
      () => api.post<{ webhook: Webhook; secret: string }>('/api/v1/webhooks', { name: v.name.trim(), url: v.url.trim(), orgCode: v.orgCode.trim() }));
    setBusy(false);
    if (r) { form.resetFields(); setSecret(r.secret); list.reload(); }
  }
  async function disable(w: Webhook) {
    try {
      await api.post(`/api/v1/webhooks/${w.id}/disable`);
      toast.success(t('hook.disabled', { name: w.name }));
      list.reload();
    } catch (e) {
      toast.error(message(e, i18n.language));
    }
  }

  return (
    <section aria-labelledby="hook-h">
      <h2 id="hook-h" className="tab-title">{t('tab.webhooks')}</h2>
      <fieldset className="inline-form">
        <legend>{t('hook.create')}</legend>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="inline" onFinish={create} name="webhook">
          <Form.Item name="name" label={t('hook.name')} rules={[{ required: true, message: t('common.required') }]}><Input style={{ width: 180 }} /></Form.Item>
          <Form.Item name="url" label={t('hook.url')} rules={[{ required: true, message: t('common.required') }]}><Input style={{ width: 320 }} placeholder="https://example.org/pingan" /></Form.Item>
          <Form.Item name="orgCode" label={t('users.orgCode')} rules={[{ required: true, message: t('common.required') }]}><OrgCodeInput width={220} /></Form.Item>
          <Form.Item><Button type="primary" htmlType="submit" loading={busy}>{t('common.create')}</Button></Form.Item>
        </Form>
      </fieldset>
      {list.error ? <LoadError error={list.error} onRetry={list.reload} /> : null}
      <Table<Webhook> rowKey="id" size="middle" loading={list.loading} dataSource={list.data?.items ?? []} pagination={false} locale={{ emptyText: t('common.empty') }}
        expandable={{ expandedRowRender: (w) => <Deliveries id={w.id} />, expandRowByClick: false }}
        columns={[
          { title: t('hook.name'), dataIndex: 'name' },
          { title: t('hook.url'), dataIndex: 'url', render: (u) => <code>{u}</code> },
          { title: t('users.org'), render: (_, w) => w.org.name },
          { title: t('hook.state'), render: (_, w) => (w.active ? <Tag color="green">{t('hook.active')}</Tag> : <Tag>{t('hook.inactive')}</Tag>) },
          { title: t('common.createdAt'), dataIndex: 'createdAt', render: when },
          {
            title: t('common.actions'), render: (_, w) => w.active && (
              <Popconfirm title={t('hook.disableConfirm', { name: w.name })} onConfirm={() => disable(w)} okText={t('common.ok')} cancelText={t('common.cancel')}>
                <Button size="small" danger>{t('hook.disable')}</Button>
              </Popconfirm>
            ),
          },
        ]} />
      <ShowOnce open={!!secret} title={t('hook.secretTitle')} secret={secret ?? ''} note={t('hook.secretNote')} onClose={() => setSecret(null)} />
    </section>
  );
}

function Deliveries({ id }: { id: number }) {
  const { t } = useTranslation();
  const list = useLoad<{ items: Delivery[] }>(`/api/v1/webhooks/${id}/deliveries`);
  if (list.error) return <LoadError error={list.error} onRetry={list.reload} />;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Table<Delivery> rowKey="id" size="small" loading={list.loading} dataSource={list.data?.items ?? []} pagination={false} locale={{ emptyText: t('hook.noDeliveries') }}
        columns={[
          { title: t('hook.kind'), dataIndex: 'kind' },
          { title: t('hook.event'), dataIndex: 'eventId', render: (e) => (e ? `#${e}` : '—') },
          { title: t('hook.status'), dataIndex: 'status' },
          { title: t('hook.attempts'), dataIndex: 'attempts' },
          { title: t('hook.lastError'), dataIndex: 'lastError', render: (e) => e ?? '—' },
          { title: t('hook.sentAt'), dataIndex: 'sentAt', render: when },
        ]} />
    </Space>
  );
}
