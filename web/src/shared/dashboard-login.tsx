/**
 * Staff sign-in for the dashboard and the administration pages: username + password, and the
 * one-time code (TOTP) when the server asks for it (administrators always; others who enabled
 * it). Then, when the account must change its password first, the change form.
 * Page dictionaries spread LOGIN_ZH / LOGIN_EN into their own.
 */
import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Form, Input, type FormInstance, type InputRef } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, ApiError, staffLogin, type SessionUser } from './api.js';

export const LOGIN_ZH = {
  'login.totpHint': '请打开身份验证器应用，输入 6 位动态验证码',
  'login.totpFormat': '动态验证码为 6 位数字',
  'login.required': '请填写此项',
  'login.pwTitle': '首次登录或密码已重置：请先修改密码',
  'login.current': '当前密码',
  'login.next': '新密码（至少 12 位，含 3 类字符）',
  'login.change': '修改密码',
  'login.changed': '密码已修改，请重新登录',
};
export const LOGIN_EN: typeof LOGIN_ZH = {
  'login.totpHint': 'Open your authenticator app and enter the 6-digit code',
  'login.totpFormat': 'The code has 6 digits',
  'login.required': 'Required',
  'login.pwTitle': 'First sign-in or reset password: change your password first',
  'login.current': 'Current password',
  'login.next': 'New password (12+ characters, 3 kinds)',
  'login.change': 'Change password',
  'login.changed': 'Password changed: sign in again',
};

interface LoginValues { username: string; password: string; totp?: string }

/** Puts a server error next to its field when the form has it; returns the message otherwise. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function fieldError(form: FormInstance<any>, err: unknown, lang: string, fields: string[]): string | null {
  if (!(err instanceof ApiError)) return String(err);
  if (err.field) {
    const parts = err.field.split('.');
    // the field itself, else the nearest enclosing one, else the first inside it (limits.handle → limits.handle.amount)
    for (let n = parts.length; n > 0; n--) {
      const name = parts.slice(0, n).join('.');
      if (fields.includes(name)) {
        form.setFields([{ name: parts.slice(0, n), errors: [err.say(lang)] }]);
        return null;
      }
    }
    const inner = fields.find((f) => f.startsWith(`${err.field}.`));
    if (inner) {
      form.setFields([{ name: inner.split('.'), errors: [err.say(lang)] }]);
      return null;
    }
  }
  return err.say(lang);
}

export function StaffLogin({ onSignedIn, title }: { onSignedIn: (u: SessionUser) => void; title: string }) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<LoginValues>();
  const [needTotp, setNeedTotp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const totpRef = useRef<InputRef>(null);
  const [ask, setAsk] = useState<string | null>(null);
  // once the code's field is there: the server's word under it, and the focus in it
  useEffect(() => {
    if (!needTotp || !ask) return;
    form.setFields([{ name: 'totp', errors: [ask] }]);
    totpRef.current?.focus();
    setAsk(null);
  }, [needTotp, ask, form]);

  async function submit(v: LoginValues) {
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await staffLogin(v.username.trim(), v.password, v.totp || undefined));
    } catch (e) {
      if (e instanceof ApiError && e.code === 'TOTP_REQUIRED') {
        setNeedTotp(true);
        setError(null);
        setAsk(e.say(i18n.language));
      } else {
        const msg = fieldError(form, e, i18n.language, ['username', 'password', 'totp']);
        if (msg) setError(msg);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login-panel" aria-labelledby="login-title">
      <h1 id="login-title">{title}</h1>
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item name="username" label={t('common.username')} rules={[{ required: true, message: t('login.required') }]}>
          <Input autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item name="password" label={t('common.password')} rules={[{ required: true, message: t('login.required') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        {needTotp && (
          <Form.Item name="totp" label={t('common.totp')} extra={t('login.totpHint')}
            rules={[{ required: true, message: t('login.required') }, { pattern: /^\d{6}$/, message: t('login.totpFormat') }]}>
            <Input ref={totpRef} inputMode="numeric" autoComplete="one-time-code" maxLength={6} />
          </Form.Item>
        )}
        <Button type="primary" htmlType="submit" loading={busy} block>{t('common.login')}</Button>
      </Form>
    </main>
  );
}

/** The forced password change (a session in stage change_password may do nothing else). */
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
      const msg = fieldError(form, e, i18n.language, ['current', 'next']);
      if (msg) setError(msg);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="login-panel" aria-labelledby="pw-title">
      <h1 id="pw-title">{t('login.pwTitle')}</h1>
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item name="current" label={t('login.current')} rules={[{ required: true, message: t('login.required') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item name="next" label={t('login.next')} rules={[{ required: true, message: t('login.required') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} block>{t('login.change')}</Button>
      </Form>
    </main>
  );
}
