/** Staff sign-in: username and password; the one-time code when the server asks for it (TOTP_REQUIRED). The first-use password change. */
import { useTranslation } from 'react-i18next';
import { Alert, Button, Card, Form, Input } from 'antd';
import type { SessionUser } from '../shared/api.js';
import { usePasswordChange, useSignIn, type PasswordValues, type SignInValues } from '../shared/sign-in.js';

export function Login({ onSignedIn }: { onSignedIn: (u: SessionUser) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<SignInValues>();
  // the code's field asks for itself (its hint): no error under it when it appears
  const { needCode, busy, error, submit } = useSignIn({ form, onSignedIn, ask: 'none' });
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
          {needCode && (
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

/** A first sign-in with an initial password: change it before anything else. */
export function ChangePassword({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<PasswordValues & { confirm: string }>();
  const { busy, error, submit } = usePasswordChange({ form, onDone });
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
