/** Staff sign-in on the phone (username, password, and the one-time code when the account uses one); the first-use password change. */
import { useTranslation } from 'react-i18next';
import { Button, Form, Input, NoticeBar } from 'antd-mobile';
import type { SessionUser } from '../shared/api.js';
import { usePasswordChange, useSignIn, type PasswordValues, type SignInValues } from '../shared/sign-in.js';

export function Login({ onDone, notice }: { onDone: (u: SessionUser) => void; notice?: string }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<SignInValues>();
  // the server's request for the code stands below the form, where its errors do
  const { needCode, busy, error, submit } = useSignIn({ form, onSignedIn: onDone, ask: 'form' });

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
        {needCode && (
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
  const { t } = useTranslation();
  const [form] = Form.useForm<PasswordValues>();
  const { busy, error, submit } = usePasswordChange({ form, onDone });
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
