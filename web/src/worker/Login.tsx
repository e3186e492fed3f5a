/** Staff sign-in (username, password, and the one-time code when the account uses one); the first-use password change. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Form, Input, NoticeBar } from 'antd-mobile';
import { ApiError, api, staffLogin, type SessionUser } from '../shared/api.js';

interface Values { username: string; password: string; totp?: string }

export function Login({ onDone, notice }: { onDone: (u: SessionUser) => void; notice?: string }) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [needTotp, setNeedTotp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(v: Values) {
    setBusy(true);
    setError(null);
    try {
      onDone(await staffLogin(v.username.trim(), v.password, v.totp || undefined));
    } catch (e) {
      const err = e instanceof ApiError ? e : null;
      if (err?.code === 'TOTP_REQUIRED') setNeedTotp(true);
      const msg = err ? err.say(i18n.language) : String(e);
      const field = err?.code === 'INVALID_CODE' || err?.code === 'TOTP_REQUIRED' ? 'totp' : err?.field === 'username' || err?.field === 'password' ? err.field : null;
      if (field && (field !== 'totp' || needTotp)) form.setFields([{ name: field, errors: [msg] }]);
      else setError(msg);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="w-login" aria-labelledby="login-title">
      <h1 id="login-title">{t('login.title')}</h1>
      <p className="w-muted">{t('login.hint')}</p>
      {notice && <NoticeBar content={notice} color="alert" wrap />}
      <Form
        name="login" form={form} layout="vertical" onFinish={(v) => void submit(v)}
        footer={<Button block type="submit" color="primary" size="large" loading={busy}>{t('common.login')}</Button>}
      >
        <Form.Item name="username" label={t('common.username')} rules={[{ required: true, whitespace: true, message: t('login.username.required') }]}>
          <Input autoComplete="username" autoCapitalize="off" />
        </Form.Item>
        <Form.Item name="password" label={t('common.password')} rules={[{ required: true, message: t('login.password.required') }]}>
          <Input type="password" autoComplete="current-password" />
        </Form.Item>
        {needTotp && (
          <Form.Item name="totp" label={t('common.totp')} rules={[{ required: true, pattern: /^[0-9]{6}$/, message: t('login.totp.required') }]}>
            <Input inputMode="numeric" autoComplete="one-time-code" maxLength={6} />
          </Form.Item>
        )}
      </Form>
      {error && <div className="w-error w-pad" role="alert">{error}</div>}
    </section>
  );
}

/** An account made by an administrator starts with a one-time password: change it here. */
export function ChangePassword({ onDone }: { onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<{ current: string; next: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(v: { current: string; next: string }) {
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/v1/auth/password', v);
      onDone();
    } catch (e) {
      const err = e instanceof ApiError ? e : null;
      const msg = err ? err.say(i18n.language) : String(e);
      if (err?.field === 'next' || err?.field === 'current') form.setFields([{ name: err.field, errors: [msg] }]);
      else setError(msg);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="w-login" aria-labelledby="pw-title">
      <h1 id="pw-title">{t('login.changePassword')}</h1>
      <Form name="password" form={form} layout="vertical" onFinish={(v) => void submit(v)} footer={<Button block type="submit" color="primary" loading={busy}>{t('common.save')}</Button>}>
        <Form.Item name="current" label={t('login.current')} rules={[{ required: true, message: t('login.password.required') }]}>
          <Input type="password" autoComplete="current-password" />
        </Form.Item>
        <Form.Item name="next" label={t('login.next')} rules={[{ required: true, message: t('login.next.required') }]}>
          <Input type="password" autoComplete="new-password" />
        </Form.Item>
      </Form>
      {error && <div className="w-error w-pad" role="alert">{error}</div>}
    </section>
  );
}
