/** Pieces the administration tabs share: error display, the once-only secret, the org picker, times. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, AutoComplete, Button, Modal, QRCode, Typography, type FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../shared/api.js';
import { localTime } from '../shared/time.js';

export function message(e: unknown, lang: string): string {
  return e instanceof ApiError ? e.say(lang) : String(e);
}

/** Zhejiang time, to the second. */
export const when = (iso: string | null | undefined) => localTime(iso, 'zh', 'second') || '—';

/** A GET with loading and error state; `reload` fetches again. */
export function useLoad<T>(path: string | null) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const seq = useRef(0);
  const reload = useCallback(() => {
    if (!path) return;
    const n = ++seq.current;
    setLoading(true);
    api.get<T>(path).then((d) => { if (n === seq.current) { setData(d); setError(null); } })
      .catch((e) => { if (n === seq.current) setError(e); })
      .finally(() => { if (n === seq.current) setLoading(false); });
  }, [path]);
  useEffect(reload, [reload]);
  return { data, error, loading, reload, setData };
}

/** An error box with a retry button. */
export function LoadError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { t, i18n } = useTranslation();
  return <Alert type="error" showIcon title={`${t('err.load')}：${message(error, i18n.language)}`} action={<Button size="small" onClick={onRetry}>{t('common.retry')}</Button>} style={{ marginBottom: 12 }} />;
}

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

/** Submits a form: the server's field errors go next to their fields, the others into `setError`. */
export async function submitWith<T>(form: FormInstance, fields: string[], lang: string, setError: (m: string | null) => void, call: () => Promise<T>): Promise<T | undefined> {
  setError(null);
  try {
    return await call();
  } catch (e) {
    const m = fieldError(form, e, lang, fields);
    if (m) setError(m);
    return undefined;
  }
}

/** A secret shown once (a password, an API key, a webhook secret, a TOTP URI). */
export function ShowOnce({ open, title, secret, qr, note, onClose }: { open: boolean; title: string; secret: string; qr?: boolean; note?: string; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal open={open} title={title} onCancel={onClose} footer={<Button type="primary" onClick={onClose}>{t('once.done')}</Button>} mask={{ closable: false }} destroyOnHidden>
      <Alert type="warning" showIcon title={t('once.warning')} style={{ marginBottom: 12 }} />
      {qr && <QRCode value={secret} size={180} style={{ marginBottom: 12 }} />}
      <Typography.Paragraph copyable={{ text: secret }} code className="secret" data-testid="secret">{secret}</Typography.Paragraph>
      {note && <Typography.Paragraph type="secondary">{note}</Typography.Paragraph>}
    </Modal>
  );
}

interface Unit { code: string; name: string; level: string; kind: string }

/** An org unit code, typed or found by name / pinyin / code (GET /api/v1/org/search). */
export function OrgCodeInput({ value, onChange, id, width, ...rest }: { value?: string; onChange?: (v: string) => void; id?: string; width?: number; 'aria-label'?: string }) {
  const [options, setOptions] = useState<{ value: string; label: string }[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const search = (q: string) => {
    clearTimeout(timer.current);
    if (!q.trim()) return setOptions([]);
    timer.current = setTimeout(() => {
      api.get<{ items: Unit[] }>(`/api/v1/org/search?q=${encodeURIComponent(q.trim())}&limit=10`)
        .then((r) => setOptions(r.items.map((u) => ({ value: u.code, label: `${u.name}（${u.code}）` }))))
        .catch(() => setOptions([]));
    }, 250);
  };
  return <AutoComplete id={id} value={value} onChange={onChange} onSearch={search} options={options} aria-label={rest['aria-label']} style={{ width: width ?? '100%', minWidth: 200 }} />;
}
