/**
 * Staff sign-in, whatever the page looks like (antd on the desktop, antd-mobile on the phone):
 * username and password; then, when the server asks for it (TOTP_REQUIRED: administrators always,
 * others who enabled it), the one-time code. Also the forced password change of a first sign-in.
 * The pages keep only their views.
 *
 * Where the server's word goes: under its field when the form shows that field (a wrong or reused
 * code, INVALID_CODE, goes under the code's); otherwise above or below the whole form: a wrong
 * username or password (a locked account answers the same), too many attempts (rate limit), a network failure.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, staffLogin, type SessionUser } from './api.js';

/** An error in the current language: the server's message, or the thrown thing's own. */
export function errorText(e: unknown, lang: string): string {
  if (e instanceof ApiError) return e.say(lang);
  return e instanceof Error ? e.message : String(e);
}

/** What the server's errors need of a form (antd's or antd-mobile's): setting them under a field. */
export interface FieldForm {
  setFields(fields: { name: unknown; errors?: string[] }[]): void;
}

/** Puts an error under `field` when the form shows it (`fields`) and returns null; else returns its text. */
function place(form: FieldForm, e: unknown, lang: string, fields: string[], field = e instanceof ApiError ? e.field : undefined): string | null {
  if (!field || !fields.includes(field)) return errorText(e, lang);
  form.setFields([{ name: field, errors: [errorText(e, lang)] }]);
  return null;
}

/** One submission at a time: `busy` while it runs; `error`, the text that `fail` did not put under a field. */
function useSubmit<V>(run: (v: V) => Promise<void>, fail: (e: unknown, lang: string) => string | null) {
  const { i18n } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(v: V) {
    setBusy(true);
    setError(null);
    try {
      await run(v);
    } catch (e) {
      setError(fail(e, i18n.language));
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, submit };
}

export interface SignInValues { username: string; password: string; totp?: string }

export interface SignInOptions {
  form: FieldForm;
  onSignedIn: (u: SessionUser) => void;
  /**
   * Where the server's first request for the code goes once the code's field is shown: under that
   * field (`field`), into the form's error (`form`), or nowhere, the field's own hint asking (`none`).
   */
  ask?: 'field' | 'form' | 'none';
}

/**
 * The sign-in flow: `needCode` once the server asked for the one-time code (the view then shows
 * its field, 6 digits), `busy` while a submission runs, `error` for the whole form; `submit` takes
 * the form's values.
 */
export function useSignIn({ form, onSignedIn, ask = 'field' }: SignInOptions) {
  const [needCode, setNeedCode] = useState(false);
  // the server's request for the code, said where `ask` puts it until the next submission
  const [asked, setAsked] = useState<string | null>(null);
  const { busy, error, submit } = useSubmit<SignInValues>(async (v) => {
    setAsked(null);
    onSignedIn(await staffLogin(v.username.trim(), v.password, needCode ? v.totp : undefined));
  }, (e, lang) => {
    if (e instanceof ApiError && e.code === 'TOTP_REQUIRED' && !needCode) {
      setNeedCode(true);
      setAsked(e.say(lang));
      return null;
    }
    const aboutCode = e instanceof ApiError && (e.code === 'TOTP_REQUIRED' || e.code === 'INVALID_CODE');
    return place(form, e, lang, needCode ? ['username', 'password', 'totp'] : ['username', 'password'], aboutCode ? 'totp' : undefined);
  });
  // the code's field is there only after the render that shows it: then the server's word under it
  useEffect(() => {
    if (needCode && asked && ask === 'field') form.setFields([{ name: 'totp', errors: [asked] }]);
  }, [needCode, asked, ask, form]);
  return { needCode, busy, error: error ?? (ask === 'form' ? asked : null), submit };
}

export interface PasswordValues { current: string; next: string }

/** The forced password change (a session in stage change_password may do nothing else). */
export function usePasswordChange({ form, onDone }: { form: FieldForm; onDone: () => void }) {
  return useSubmit<PasswordValues>(async (v) => {
    await api.post('/api/v1/auth/password', { current: v.current, next: v.next });
    onDone();
  }, (e, lang) => place(form, e, lang, ['current', 'next']));
}
