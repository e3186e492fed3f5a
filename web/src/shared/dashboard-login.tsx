/**
 * The way into the dashboard and the administration pages: the session decides between the
 * staff sign-in (username + password, and the one-time code when the server asks for it:
 * administrators always, others who enabled it), the forced password change, and the page.
 * Page dictionaries spread LOGIN_ZH / LOGIN_EN into their own and say app.login, app.langLabel.
 */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Alert, Button, Form, Input, Result, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentSession, type SessionUser } from './api.js';
import { switchLanguage } from './i18n.js';
import { errorText, usePasswordChange, useSignIn, type PasswordValues, type SignInValues } from './sign-in.js';

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

/**
 * Signs in and shows `children` for the signed-in user, with `signedOut` to call once the session
 * is gone; until then the sign-in (titled `title`) or the password change, with the language switch.
 */
/** `session`: how to ask for the session (a page may have asked early, at startup). */
export function StaffGate({ title, session = currentSession, children }: { title: string; session?: () => Promise<SessionUser | null>; children: (user: SessionUser, signedOut: () => void) => ReactNode }) {
  const { t, i18n } = useTranslation();
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => {
    setError(null);
    setUser(undefined);
    session().then(setUser).catch(setError);
  }, [session]);
  useEffect(load, [load]);
  const signedOut = useCallback(() => setUser(null), []);

  const lang = <Button className="lang-float" size="small" onClick={switchLanguage} aria-label={t('app.langLabel')}>{t('lang.switch')}</Button>;
  if (error) {
    return <Result status="error" title={errorText(error, i18n.language)} extra={<Button type="primary" onClick={load}>{t('common.retry')}</Button>} />;
  }
  if (user === undefined) return <div className="center"><Spin size="large" description={t('common.loading')} /></div>;
  if (user === null) return <div className="center">{lang}<StaffLogin title={title} onSignedIn={setUser} /></div>;
  if (user.mustChangePassword) return <div className="center">{lang}<ChangePassword onDone={load} /></div>;
  return children(user, signedOut);
}

function StaffLogin({ onSignedIn, title }: { onSignedIn: (u: SessionUser) => void; title: string }) {
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
function ChangePassword({ onDone }: { onDone: () => void }) {
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
