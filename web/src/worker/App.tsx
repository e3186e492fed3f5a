/**
 * The shell: the session (or, offline, the last signed-in worker from this phone), the header with
 * the sync state, the offline banner, the language switch and sign-out, the pages, the tab bar.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, ConfigProvider, Dialog, ErrorBlock, NavBar, NoticeBar, SpinLoading, Toast } from 'antd-mobile';
import zhCN from 'antd-mobile/es/locales/zh-CN';
import enUS from 'antd-mobile/es/locales/en-US';
import { ApiError, api, currentSession, logout, type SessionUser } from '../shared/api.js';
import { switchLanguage } from '../shared/i18n.js';
import { CaseDetail } from './CaseDetail.js';
import { go, useFormat, useRoute, useSync } from './hooks.js';
import { ChangePassword, Login } from './Login.js';
import { Patrol } from './Patrol.js';
import { cacheGet, cachePut, clearCache } from './store.js';
import { pendingCount, problemCount, sync } from './sync.js';
import { SyncPage, syncLabel } from './SyncPage.js';
import { Tasks } from './Tasks.js';
import type { Category, Me } from './types.js';

const LAST_USER = 'pingan.worker.user';
const WORK_ROLES = ['grid_worker', 'handler'];

function lastUser(): SessionUser | null {
  try {
    return JSON.parse(localStorage.getItem(LAST_USER) ?? 'null') as SessionUser | null;
  } catch {
    return null;
  }
}

export function App() {
  const { t, i18n } = useTranslation();
  const { say } = useFormat();
  const snap = useSync();
  const route = useRoute();
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  /** signed in from this phone's memory while the server cannot be reached */
  const [offlineSession, setOfflineSession] = useState(false);
  const [bootError, setBootError] = useState(false);
  const [me, setMe] = useState<Me | null>(null);

  async function boot() {
    setBootError(false);
    try {
      const u = await currentSession();
      sync.network(true);
      setOfflineSession(false);
      if (u && u.kind === 'staff') {
        localStorage.setItem(LAST_USER, JSON.stringify(u));
        setUser(u);
      } else setUser(null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 0) sync.network(false);
      const last = lastUser();
      if (last) {
        setUser(last);
        setOfflineSession(true);
      } else setBootError(true);
    }
  }
  useEffect(() => { void boot(); }, []);
  // the connection came back after an offline start: check the session before syncing
  useEffect(() => { if (snap.online && (offlineSession || bootError)) void boot(); }, [snap.online]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => { document.title = t('title'); }, [t, i18n.language]);

  const uid = user?.id ?? null;
  useEffect(() => { void sync.setUser(uid); }, [uid]);
  // who I am (my grid: the patrol fallback when there is no GPS) and the categories (evidence rules), kept on the phone
  useEffect(() => {
    if (uid === null) { setMe(null); return; }
    void cacheGet<Me>(uid, 'me').then((c) => c && setMe(c.value));
    if (offlineSession) return;
    api.get<Me>('/api/v1/users/me').then((m) => { setMe(m); void cachePut(uid, 'me', m); }, () => undefined);
    api.get<{ items: Category[] }>('/api/v1/event-categories').then((r) => cachePut(uid, 'categories', r.items.filter((c) => c.active)), () => undefined);
  }, [uid, offlineSession]);
  // what the queue did, in a word
  useEffect(() => sync.onNews((n) => {
    if (n.kind === 'action') Toast.show({ content: t('sync.done.action', { id: n.op.eventId, action: t(`action.${n.op.action}`) }) });
    if (n.kind === 'report') Toast.show({ content: t('sync.done.report', { id: n.event.id }) });
    if (n.kind === 'failed') Toast.show({ content: say(n.error) });
    if (n.kind === 'conflict' && n.op.error) Toast.show({ content: say(n.op.error) });
  }), [t, say]);

  async function signOut() {
    const n = snap.ops.length;
    if (n && !(await Dialog.confirm({ content: t('logout.pending', { n }), confirmText: t('common.logout'), cancelText: t('common.cancel') }))) return;
    await logout();
    if (uid !== null) await clearCache(uid).catch(() => undefined);
    if ('caches' in window) await caches.delete('pingan-worker-photos').catch(() => undefined);
    localStorage.removeItem(LAST_USER);
    setUser(null);
    setOfflineSession(false);
    go('/tasks');
  }

  const label = syncLabel(snap, t);
  const right = (
    <span className="w-nav-right">
      <button type="button" className="w-link" onClick={switchLanguage} aria-label={i18n.language === 'en' ? '切换到中文' : 'Switch to English'}>{t('lang.switch')}</button>
      {user && <button type="button" className="w-link" onClick={() => void signOut()}>{t('common.logout')}</button>}
    </span>
  );

  let body;
  const working = user && user.kind === 'staff' && user.roles.some((r) => WORK_ROLES.includes(r));
  if (bootError && !user) {
    body = <ErrorBlock status="disconnected" title={t('login.offline')} description={<Button size="small" onClick={() => void boot()}>{t('common.retry')}</Button>} />;
  } else if (user === undefined) body = <div className="w-center"><SpinLoading aria-label={t('common.loading')} /></div>;
  else if (!user) body = <Login onDone={(u) => { localStorage.setItem(LAST_USER, JSON.stringify(u)); setUser(u); setOfflineSession(false); }} />;
  else if (snap.needLogin) {
    body = <Login notice={t('login.expired', { n: snap.ops.length })} onDone={(u) => { if (u.id !== user.id) setUser(u); void sync.setUser(u.id); }} />;
  } else if (user.mustChangePassword) body = <ChangePassword onDone={() => void boot()} />;
  else if (!working) body = <ErrorBlock status="default" title={t('login.notWorker')} description="" />;
  else if (route[0] === 'case' && Number(route[1]) > 0) body = <CaseDetail key={route[1]} uid={user.id} id={Number(route[1])} />;
  else if (route[0] === 'patrol') body = <Patrol uid={user.id} me={me} />;
  else if (route[0] === 'sync') body = <SyncPage uid={user.id} />;
  else body = <Tasks uid={user.id} />;

  const tab = route[0] === 'case' ? 'tasks' : ['patrol', 'sync'].includes(route[0]) ? route[0] : 'tasks';
  const showApp = !!working && !snap.needLogin && !user?.mustChangePassword;
  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : zhCN}>
      <div className="w-app">
        <header>
          <NavBar back={null} right={right}>{t('title')}</NavBar>
          {showApp && (
            <div className="w-status">
              <span className="w-who">{me ? `${me.displayName} · ${me.org.name}` : user!.name}</span>
              <button type="button" className="w-sync" style={{ color: label.color, borderColor: label.color }} onClick={() => go('/sync')} data-testid="sync-state" aria-label={`${t('nav.sync')}：${label.text}`}>
                {!snap.online && `${t('sync.offline')} · `}{label.text}
              </button>
            </div>
          )}
          {!snap.online && (
            <div role="alert" data-testid="offline-banner">
              <NoticeBar content={offlineSession && user ? `${t('offline.banner')}（${t('offline.user', { name: user.name })}）` : t('offline.banner')} color="alert" wrap />
            </div>
          )}
        </header>
        <main className="w-main">{body}</main>
        {showApp && (
          <nav className="w-tabbar" aria-label={t('title')}>
            {(['tasks', 'patrol', 'sync'] as const).map((k) => (
              <a key={k} href={`#/${k}`} aria-current={tab === k ? 'page' : undefined} className={tab === k ? 'active' : undefined}>
                {t(`nav.${k}`)}
                {k === 'sync' && pendingCount(snap) + problemCount(snap) > 0 && <span className="w-badge" aria-label={syncLabel(snap, t).text}>{pendingCount(snap) + problemCount(snap)}</span>}
              </a>
            ))}
          </nav>
        )}
      </div>
    </ConfigProvider>
  );
}
