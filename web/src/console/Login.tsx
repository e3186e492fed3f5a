/** Staff sign-in: username and password; the one-time code when the server asks for it (TOTP_REQUIRED). */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, Button, Card, Form, Input } from 'antd';
import { ApiError, api, staffLogin, type SessionUser } from '../shared/api.js';
import { errText } from './util.js';

interface Values { username: string; password: string; totp?: string }

export function Login({ onSignedIn }: { onSignedIn: (u: SessionUser) => void }) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [needTotp, setNeedTotp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(v: Values) {
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await staffLogin(v.username.trim(), v.password, needTotp ? v.totp : undefined));
    } catch (e) {
      if (e instanceof ApiError && e.code === 'TOTP_REQUIRED') {
        if (needTotp) form.setFields([{ name: 'totp', errors: [e.say(i18n.language)] }]);
        setNeedTotp(true);
      } else if (e instanceof ApiError && e.field && ['username', 'password', 'totp'].includes(e.field)) {
        form.setFields([{ name: e.field as keyof Values, errors: [e.say(i18n.language)] }]);
      } else {
        setError(errText(e, i18n.language));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="console-login">
      <Card title={<h1 className="console-login-title">{t('login.title')}</h1>} style={{ width: 380 }}>
        {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
        <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} aria-label={t('login.title')}>
          <Form.Item label={t('common.username')} name="username" rules={[{ required: true, whitespace: true, message: t('login.usernameRequired') }]}>
            <Input autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item label={t('common.password')} name="password" rules={[{ required: true, message: t('login.passwordRequired') }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          {needTotp && (
            <Form.Item label={t('common.totp')} name="totp" extra={t('login.totpHint')} rules={[{ required: true, pattern: /^\d{6}$/, message: t('login.totpRequired') }]}>
              <Input inputMode="numeric" autoComplete="one-time-code" maxLength={6} autoFocus />
            </Form.Item>
          )}
          <Button type="primary" htmlType="submit" block loading={busy}>{t('common.login')}</Button>
        </Form>
      </Card>
    </main>
  );
}

interface PwValues { current: string; next: string; confirm: string }

/** A first sign-in with an initial password: change it before anything else. */
export function ChangePassword({ onDone }: { onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<PwValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(v: PwValues) {
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/v1/auth/password', { current: v.current, next: v.next });
      onDone();
    } catch (e) {
      if (e instanceof ApiError && e.field && ['current', 'next'].includes(e.field)) form.setFields([{ name: e.field as keyof PwValues, errors: [e.say(i18n.language)] }]);
      else setError(errText(e, i18n.language));
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="console-login">
      <Card title={<h1 className="console-login-title">{t('pw.title')}</h1>} style={{ width: 380 }}>
        {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
        <Form form={form} layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item label={t('pw.current')} name="current" rules={[{ required: true, message: t('pw.required') }]}>
            <Input.Password autoComplete="current-password" autoFocus />
          </Form.Item>
          <Form.Item label={t('pw.next')} name="next" rules={[{ required: true, message: t('pw.required') }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item label={t('pw.confirm')} name="confirm" dependencies={['next']} rules={[{ required: true, message: t('pw.required') }, ({ getFieldValue }) => ({ validator: (_, v) => (v === getFieldValue('next') ? Promise.resolve() : Promise.reject(new Error(t('pw.mismatch')))) })]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>{t('common.submit')}</Button>
        </Form>
      </Card>
    </main>
  );
}
