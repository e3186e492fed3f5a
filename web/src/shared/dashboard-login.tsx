/**
 * Staff sign-in for the dashboard and the administration pages: username + password, and the
 * one-time code (TOTP) when the server asks for it (administrators always; others who enabled
 * it). Then, when the account must change its password first, the change form. The flow is
 * shared/sign-in.ts's; here the look.
 * Page dictionaries spread LOGIN_ZH / LOGIN_EN into their own.
 */
import { Alert, Button, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import type { SessionUser } from './api.js';
import { usePasswordChange, useSignIn, type PasswordValues, type SignInValues } from './sign-in.js';

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

export function StaffLogin({ onSignedIn, title }: { onSignedIn: (u: SessionUser) => void; title: string }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<SignInValues>();
  const { needCode, busy, error, submit } = useSignIn({ form, onSignedIn });
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
        {needCode && (
          <Form.Item name="totp" label={t('common.totp')} extra={t('login.totpHint')}
            rules={[{ required: true, message: t('login.required') }, { pattern: /^\d{6}$/, message: t('login.totpFormat') }]}>
            <Input inputMode="numeric" autoComplete="one-time-code" maxLength={6} autoFocus />
          </Form.Item>
        )}
        <Button type="primary" htmlType="submit" loading={busy} block>{t('common.login')}</Button>
      </Form>
    </main>
  );
}

/** The forced password change (a session in stage change_password may do nothing else). */
export function ChangePassword({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<PasswordValues>();
  const { busy, error, submit } = usePasswordChange({ form, onDone });
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
