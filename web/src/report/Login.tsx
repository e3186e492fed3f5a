/** Citizens sign in with their phone and a 6-digit SMS code (the account is made on first sign-in). */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Form, Input, Toast } from 'antd-mobile';
import { ApiError, smsLogin, smsSend, type SessionUser } from '../shared/api.js';

export function Login({ onDone }: { onDone: (u: SessionUser) => void }) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm();
  const [wait, setWait] = useState(0);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (wait <= 0) return;
    const id = setTimeout(() => setWait(wait - 1), 1000);
    return () => clearTimeout(id);
  }, [wait]);

  const fail = (e: unknown) => {
    if (e instanceof ApiError && e.field) form.setFields([{ name: e.field, errors: [e.say(i18n.language)] }]);
    else Toast.show({ content: e instanceof ApiError ? e.say(i18n.language) : String(e) });
  };
  const send = async () => {
    const phone = form.getFieldValue('phone');
    if (!phone) return form.setFields([{ name: 'phone', errors: [t('f.required')] }]);
    try {
      const r = await smsSend(phone);
      Toast.show({ content: t('login.sent', { to: r.sentTo }) });
      setWait(60);
    } catch (e) { fail(e); }
  };
  const submit = async (v: { phone: string; code: string }) => {
    setBusy(true);
    try { onDone(await smsLogin(v.phone, v.code)); } catch (e) { fail(e); } finally { setBusy(false); }
  };
  return (
    <Form form={form} layout="horizontal" onFinish={submit} mode="card"
      footer={<Button block type="submit" color="primary" loading={busy}>{t('login.submit')}</Button>}>
      <Form.Header>{t('login.title')}</Form.Header>
      <Form.Item name="phone" label={t('login.phone')} rules={[{ required: true, message: t('f.required') }]}
        extra={<Button size="small" disabled={wait > 0} onClick={() => void send()}>{wait > 0 ? t('login.resend', { s: wait }) : t('login.send')}</Button>}>
        <Input type="tel" inputMode="tel" autoComplete="tel" aria-label={t('login.phone')} placeholder="138 0000 0000" />
      </Form.Item>
      <Form.Item name="code" label={t('login.code')} rules={[{ required: true, message: t('f.required') }]}>
        <Input inputMode="numeric" autoComplete="one-time-code" maxLength={6} aria-label={t('login.code')} placeholder="000000" />
      </Form.Item>
    </Form>
  );
}
