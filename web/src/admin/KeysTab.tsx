/** Secadmin: API keys of the org subtree: list, create (the secret shown once), revoke. */
import { useState } from 'react';
import { Alert, App, Button, Checkbox, Form, Input, Popconfirm, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../shared/api.js';
import { LoadError, OrgCodeInput, ShowOnce, message, submitWith, useLoad, when } from './common.js';
import { KEY_PERMISSIONS, type ApiKey } from './types.js';

interface Values { name: string; orgCode: string; permissions: string[] }

export function KeysTab() {
  const { t, i18n } = useTranslation();
  const { message: toast } = App.useApp();
  const list = useLoad<{ items: ApiKey[] }>('/api/v1/keys');
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);

  async function create(v: Values) {
    setBusy(true);
    const r = await submitWith(form, ['name', 'orgCode', 'permissions'], i18n.language, setError,
      () => api.post<{ key: ApiKey; secret: string }>('/api/v1/keys', { name: v.name.trim(), orgCode: v.orgCode.trim(), permissions: v.permissions ?? [] }));
    setBusy(false);
    if (r) { form.resetFields(); setSecret({ name: r.key.name, value: r.secret }); list.reload(); }
  }
  async function revoke(k: ApiKey) {
    try {
      await api.post(`/api/v1/keys/${k.id}/revoke`);
      toast.success(t('keys.revoked', { name: k.name }));
      list.reload();
    } catch (e) {
      toast.error(message(e, i18n.language));
    }
  }

  return (
    <section aria-labelledby="keys-h">
      <h2 id="keys-h" className="tab-title">{t('tab.keys')}</h2>
      <fieldset className="inline-form">
        <legend>{t('keys.create')}</legend>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical" onFinish={create} name="key" initialValues={{ permissions: ['events.report'] }} style={{ maxWidth: 640 }}>
          <Form.Item name="name" label={t('keys.name')} rules={[{ required: true, message: t('common.required') }]}><Input /></Form.Item>
          <Form.Item name="orgCode" label={t('users.orgCode')} extra={t('keys.orgHint')} rules={[{ required: true, message: t('common.required') }]}><OrgCodeInput /></Form.Item>
          <Form.Item name="permissions" label={t('keys.permissions')} rules={[{ required: true, message: t('keys.permRequired') }]}>
            <Checkbox.Group options={KEY_PERMISSIONS.map((p) => ({ value: p, label: `${t(`perm.${p}`)}（${p}）` }))} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>{t('common.create')}</Button>
        </Form>
      </fieldset>
      {list.error ? <LoadError error={list.error} onRetry={list.reload} /> : null}
      <Table<ApiKey> rowKey="id" size="middle" loading={list.loading} dataSource={list.data?.items ?? []} pagination={false} locale={{ emptyText: t('common.empty') }} scroll={{ x: 900 }}
        columns={[
          { title: t('keys.name'), dataIndex: 'name' },
          { title: t('keys.prefix'), dataIndex: 'prefix', render: (p) => <code>{p}…</code> },
          { title: t('users.org'), render: (_, k) => k.org.name },
          { title: t('keys.permissions'), render: (_, k) => k.permissions.map((p) => <Tag key={p}>{p}</Tag>) },
          { title: t('common.createdAt'), dataIndex: 'createdAt', render: when },
          { title: t('keys.lastUsed'), dataIndex: 'lastUsedAt', render: when },
          { title: t('keys.state'), render: (_, k) => (k.revokedAt ? <Tag>{t('keys.revokedAt', { at: when(k.revokedAt) })}</Tag> : <Tag color="green">{t('keys.active')}</Tag>) },
          {
            title: t('common.actions'), render: (_, k) => !k.revokedAt && (
              <Popconfirm title={t('keys.revokeConfirm', { name: k.name })} onConfirm={() => revoke(k)} okText={t('common.ok')} cancelText={t('common.cancel')}>
                <Button size="small" danger aria-label={`${t('keys.revoke')} ${k.name}`}>{t('keys.revoke')}</Button>
              </Popconfirm>
            ),
          },
        ]} />
      <ShowOnce open={!!secret} title={t('keys.secretTitle', { name: secret?.name ?? '' })} secret={secret?.value ?? ''} note={t('keys.secretNote')} onClose={() => setSecret(null)} />
    </section>
  );
}
