/**
 * /admin: sign-in (administrators need their one-time code), then the tabs of one's role. The
 * three administrators are kept apart (三员分立): the sysadmin runs accounts and configuration,
 * the secadmin roles and keys, the auditor reads the audit log; no account holds two.
 */
import { lazy, Suspense, useState } from 'react';
import { Button, Result, Spin, Tabs, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { logout, type SessionUser } from '../shared/api.js';
import { switchLanguage } from '../shared/i18n.js';
import { StaffGate } from '../shared/dashboard-login.js';

// each tab's code loads when it is shown: an auditor never loads the sysadmin's tree, the sign-in form none of them
const UsersTab = lazy(() => import('./UsersTab.js').then((m) => ({ default: m.UsersTab })));
const RolesTab = lazy(() => import('./RolesTab.js').then((m) => ({ default: m.RolesTab })));
const CategoriesTab = lazy(() => import('./CategoriesTab.js').then((m) => ({ default: m.CategoriesTab })));
const OrgTab = lazy(() => import('./OrgTab.js').then((m) => ({ default: m.OrgTab })));
const WebhooksTab = lazy(() => import('./WebhooksTab.js').then((m) => ({ default: m.WebhooksTab })));
const KeysTab = lazy(() => import('./KeysTab.js').then((m) => ({ default: m.KeysTab })));
const AuditTab = lazy(() => import('./AuditTab.js').then((m) => ({ default: m.AuditTab })));

type TabKey = 'users' | 'categories' | 'org' | 'webhooks' | 'roles' | 'keys' | 'audit';
const TABS_OF: Record<string, TabKey[]> = {
  sysadmin: ['users', 'categories', 'org', 'webhooks'],
  secadmin: ['roles', 'keys'],
  auditor: ['audit'],
};

export function tabsOf(roles: string[]): TabKey[] {
  return roles.flatMap((r) => TABS_OF[r] ?? []);
}

export function App() {
  const { t } = useTranslation();
  return <StaffGate title={t('app.login')}>{(user, signedOut) => <Shell user={user} onSignOut={() => void logout().then(signedOut)} />}</StaffGate>;
}

function Shell({ user, onSignOut }: { user: SessionUser; onSignOut: () => void }) {
  const { t } = useTranslation();
  const tabs = tabsOf(user.roles);
  const fromHash = () => {
    const h = location.hash.slice(1) as TabKey;
    return tabs.includes(h) ? h : tabs[0];
  };
  const [active, setActive] = useState<TabKey | undefined>(fromHash);
  const panel: Record<TabKey, () => React.ReactNode> = {
    users: () => <UsersTab me={user.id} />, categories: () => <CategoriesTab />, org: () => <OrgTab canImport={user.permissions?.includes('grids.import') ?? false} />, webhooks: () => <WebhooksTab />,
    roles: () => <RolesTab me={user.id} />, keys: () => <KeysTab />, audit: () => <AuditTab />,
  };
  return (
    <div className="admin">
      <header className="admin-head">
        <h1>{t('app.title')}</h1>
        <span className="who">
          {user.name} {user.roles.map((r) => <Tag key={r} color="purple">{t(`role.${r}`)}</Tag>)}
        </span>
        <span className="head-tools">
          <Button size="small" onClick={switchLanguage} aria-label={t('app.langLabel')}>{t('lang.switch')}</Button>
          <Button size="small" onClick={onSignOut}>{t('common.logout')}</Button>
        </span>
      </header>
      <main className="admin-body">
        {tabs.length === 0 ? (
          <Result status="403" title={t('noAdmin')} subTitle={t('noAdminHint')} />
        ) : (
          <Tabs activeKey={active} destroyOnHidden onChange={(k) => { setActive(k as TabKey); history.replaceState(null, '', `#${k}`); }}
            items={tabs.map((k) => ({ key: k, label: t(`tab.${k}`), children: <Suspense fallback={<Spin description={t('common.loading')} />}>{panel[k]()}</Suspense> }))} />
        )}
      </main>
    </div>
  );
}
