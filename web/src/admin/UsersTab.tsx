/** Sysadmin: staff accounts of the org subtree: list, search, create, lock/unlock, reset password. Roles are the secadmin's. */
import { useState } from 'react';
import { Alert, App, Button, Form, Input, Modal, Popconfirm, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../shared/api.js';
import { LoadError, OrgCodeInput, ShowOnce, message, submitWith, useLoad, when } from './common.js';
import type { User } from './types.js';

interface CreateValues { username: string; displayName: string; orgCode: string; phone?: string }

export function UsersTab({ me }: { me: number }) {
  const { t, i18n } = useTranslation();
  const { message: toast } = App.useApp();
  const [q, setQ] = useState('');
  const [after, setAfter] = useState<number[]>([]);
  const path = `/api/v1/users?limit=50${q ? `&q=${encodeURIComponent(q)}` : ''}${after.length ? `&after=${after[after.length - 1]}` : ''}`;
  const list = useLoad<{ items: User[]; next: number | null }>(path);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ title: string; value: string; note?: string } | null>(null);

  async function lock(u: User, on: boolean) {
    try {
      await api.post(`/api/v1/users/${u.id}/${on ? 'lock' : 'unlock'}`);
      toast.success(t(on ? 'users.locked' : 'users.unlocked', { name: u.username }));
      list.reload();
    } catch (e) {
      toast.error(message(e, i18n.language));
    }
  }
  async function reset(u: User) {
    try {
      const r = await api.post<{ password: string }>(`/api/v1/users/${u.id}/reset-password`);
      setSecret({ title: t('users.resetDone', { name: u.username }), value: r.password, note: t('users.oneTimeNote') });
    } catch (e) {
      toast.error(message(e, i18n.language));
    }
  }

  return (
    <section aria-labelledby="users-h">
      <h2 id="users-h" className="tab-title">{t('tab.users')}</h2>
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search aria-label={t('users.search')} placeholder={t('users.search')} allowClear onSearch={(v) => { setAfter([]); setQ(v.trim()); }} style={{ width: 280 }} />
        <Button type="primary" onClick={() => setCreating(true)}>{t('users.create')}</Button>
      </Space>
      {list.error ? <LoadError error={list.error} onRetry={list.reload} /> : null}
      <Table<User> rowKey="id" size="middle" loading={list.loading} dataSource={list.data?.items ?? []} pagination={false} scroll={{ x: 900 }}
        locale={{ emptyText: t('common.empty') }}
        columns={[
          { title: t('users.username'), dataIndex: 'username' },
          { title: t('users.displayName'), dataIndex: 'displayName' },
          { title: t('users.org'), render: (_, u) => `${u.org.name}（${u.org.code}）` },
          { title: t('users.roles'), render: (_, u) => u.roles.length ? u.roles.map((r) => <Tag key={r}>{t(`role.${r}`)}</Tag>) : <span className="muted">{t('users.noRoles')}</span> },
          { title: t('users.phone'), dataIndex: 'phone', render: (p) => p ?? '—' },
          {
            title: t('users.state'), render: (_, u) => (
              <Space size={4} wrap>
                {u.disabled ? <Tag color="red">{t('users.disabled')}</Tag> : u.locked ? <Tag color="orange">{t('users.lockedOut')}</Tag> : <Tag color="green">{t('users.active')}</Tag>}
                {u.mustChangePassword && <Tag>{t('users.mustChange')}</Tag>}
                {u.totpEnabled && <Tag color="blue">TOTP</Tag>}
              </Space>
            ),
          },
          { title: t('common.createdAt'), dataIndex: 'createdAt', render: when },
          {
            title: t('common.actions'), fixed: 'right', render: (_, u) => u.id === me ? <span className="muted">{t('users.self')}</span> : (
              <Space size={4} wrap>
                {u.disabled || u.locked
                  ? <Button size="small" onClick={() => void lock(u, false)} aria-label={`${t('users.unlock')} ${u.username}`}>{t('users.unlock')}</Button>
                  : <Popconfirm title={t('users.lockConfirm', { name: u.username })} onConfirm={() => lock(u, true)} okText={t('common.ok')} cancelText={t('common.cancel')}>
                      <Button size="small" danger aria-label={`${t('users.lock')} ${u.username}`}>{t('users.lock')}</Button>
                    </Popconfirm>}
                <Popconfirm title={t('users.resetConfirm', { name: u.username })} onConfirm={() => reset(u)} okText={t('common.ok')} cancelText={t('common.cancel')}>
                  <Button size="small" aria-label={`${t('users.reset')} ${u.username}`}>{t('users.reset')}</Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]} />
      <Space style={{ marginTop: 12 }}>
        {after.length > 0 && <Button onClick={() => setAfter(after.slice(0, -1))}>{t('common.prev')}</Button>}
        {list.data?.next && <Button onClick={() => setAfter([...after, list.data!.next!])}>{t('common.next')}</Button>}
      </Space>
      <CreateUser open={creating} onClose={() => setCreating(false)} onCreated={(r) => {
        setCreating(false);
        list.reload();
        setSecret({ title: t('users.created', { name: r.user.username }), value: r.password, note: t('users.createdNote') });
      }} />
      <ShowOnce open={!!secret} title={secret?.title ?? ''} secret={secret?.value ?? ''} note={secret?.note} onClose={() => setSecret(null)} />
    </section>
  );
}

function CreateUser({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (r: { user: User; password: string }) => void }) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<CreateValues>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(v: CreateValues) {
    setBusy(true);
    const body = { username: v.username.trim(), displayName: v.displayName.trim(), orgCode: v.orgCode.trim(), ...(v.phone?.trim() ? { phone: v.phone.trim() } : {}) };
    const r = await submitWith(form, ['username', 'displayName', 'orgCode', 'phone'], i18n.language, setError, () => api.post<{ user: User; password: string }>('/api/v1/users', body));
    setBusy(false);
    if (r) { form.resetFields(); onCreated(r); }
  }
  return (
    <Modal open={open} title={t('users.create')} onCancel={onClose} okText={t('common.create')} cancelText={t('common.cancel')} confirmLoading={busy}
      onOk={() => form.submit()} destroyOnHidden forceRender>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" onFinish={submit} name="create-user">
        <Form.Item name="username" label={t('users.username')} extra={t('users.usernameHint')} rules={[{ required: true, message: t('common.required') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="displayName" label={t('users.displayName')} rules={[{ required: true, message: t('common.required') }]}>
          <Input />
        </Form.Item>
        <Form.Item name="orgCode" label={t('users.orgCode')} extra={t('users.orgHint')} rules={[{ required: true, message: t('common.required') }]}>
          <OrgCodeInput />
        </Form.Item>
        <Form.Item name="phone" label={t('users.phoneOptional')}>
          <Input inputMode="tel" autoComplete="off" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
