/**
 * Secadmin: roles and grants of staff accounts (PUT /api/v1/users/:id/roles). Only what roles
 * need is shown: no phone, no locks, no profile edits (those are the sysadmin's). An account
 * made administrator gets a TOTP secret, shown once as a QR code.
 */
import { useState } from 'react';
import { Alert, Button, Checkbox, Form, Input, Modal, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../shared/api.js';
import { LoadError, ShowOnce, submitWith, useLoad } from './common.js';
import { ADMIN_ROLES, GRANTABLE, ROLES, type User } from './types.js';

export function RolesTab({ me }: { me: number }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [after, setAfter] = useState<number[]>([]);
  const list = useLoad<{ items: User[]; next: number | null }>(`/api/v1/users?limit=50${q ? `&q=${encodeURIComponent(q)}` : ''}${after.length ? `&after=${after[after.length - 1]}` : ''}`);
  const [editing, setEditing] = useState<User | null>(null);
  const [totp, setTotp] = useState<{ name: string; uri: string } | null>(null);

  return (
    <section aria-labelledby="roles-h">
      <h2 id="roles-h" className="tab-title">{t('tab.roles')}</h2>
      <Alert type="info" showIcon title={t('roles.separation')} style={{ marginBottom: 12 }} />
      <Input.Search aria-label={t('users.search')} placeholder={t('users.search')} allowClear onSearch={(v) => { setAfter([]); setQ(v.trim()); }} style={{ width: 280, marginBottom: 12 }} />
      {list.error ? <LoadError error={list.error} onRetry={list.reload} /> : null}
      <Table<User> rowKey="id" size="middle" loading={list.loading} dataSource={list.data?.items ?? []} pagination={false} locale={{ emptyText: t('common.empty') }}
        columns={[
          { title: t('users.username'), dataIndex: 'username' },
          { title: t('users.displayName'), dataIndex: 'displayName' },
          { title: t('users.org'), render: (_, u) => u.org.name },
          { title: t('users.roles'), render: (_, u) => u.roles.length ? u.roles.map((r) => <Tag key={r} color={ADMIN_ROLES.includes(r) ? 'purple' : undefined}>{t(`role.${r}`)}</Tag>) : <span className="muted">{t('users.noRoles')}</span> },
          { title: t('roles.grants'), render: (_, u) => u.grants.map((g) => <Tag key={g}>{t(`grant.${g}`)}</Tag>) },
          {
            title: t('common.actions'), render: (_, u) => (
              <Button size="small" disabled={u.id === me} title={u.id === me ? t('roles.notSelf') : undefined} onClick={() => setEditing(u)} aria-label={`${t('roles.edit')} ${u.username}`}>
                {t('roles.edit')}
              </Button>
            ),
          },
        ]} />
      <Space style={{ marginTop: 12 }}>
        {after.length > 0 && <Button onClick={() => setAfter(after.slice(0, -1))}>{t('common.prev')}</Button>}
        {list.data?.next && <Button onClick={() => setAfter([...after, list.data!.next!])}>{t('common.next')}</Button>}
      </Space>
      {editing && <EditRoles user={editing} onClose={() => setEditing(null)} onSaved={(u) => {
        setEditing(null);
        list.reload();
        if (u.totpUri) setTotp({ name: u.username, uri: u.totpUri });
      }} />}
      <ShowOnce open={!!totp} qr title={t('roles.totpTitle', { name: totp?.name ?? '' })} secret={totp?.uri ?? ''} note={t('roles.totpNote')} onClose={() => setTotp(null)} />
    </section>
  );
}

function EditRoles({ user, onClose, onSaved }: { user: User; onClose: () => void; onSaved: (u: User & { totpUri: string | null }) => void }) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<{ roles: string[]; grants: string[] }>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const roles = Form.useWatch('roles', form) ?? user.roles;
  const admin = roles.some((r) => ADMIN_ROLES.includes(r));
  async function submit(v: { roles: string[]; grants: string[] }) {
    setBusy(true);
    const r = await submitWith(form, ['roles', 'grants'], i18n.language, setError, () => api.put<User & { totpUri: string | null }>(`/api/v1/users/${user.id}/roles`, { roles: v.roles ?? [], grants: v.grants ?? [] }));
    setBusy(false);
    if (r) onSaved(r);
  }
  return (
    <Modal open title={t('roles.editTitle', { name: `${user.displayName}（${user.username}）` })} onCancel={onClose} onOk={() => form.submit()}
      okText={t('common.save')} cancelText={t('common.cancel')} confirmLoading={busy}>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ roles: user.roles, grants: user.grants }} name="edit-roles">
        <Form.Item name="roles" label={t('users.roles')} extra={admin ? t('roles.adminHint') : undefined}>
          <Checkbox.Group options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
        </Form.Item>
        <Form.Item name="grants" label={t('roles.grants')} extra={t('roles.grantHint')}>
          <Checkbox.Group options={GRANTABLE.map((g) => ({ value: g, label: t(`grant.${g}`) }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
