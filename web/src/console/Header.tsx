/** The top bar: the page's name, live state, who is signed in, sign-out and the language switch. */
import { useTranslation } from 'react-i18next';
import { Button, Space, Tag } from 'antd';
import type { SessionUser } from '../shared/api.js';
import type { Me, OrgUnit } from './types.js';
import { switchLanguage } from '../shared/i18n.js';

export function Header({ user, who, live, onSignOut }: { user: SessionUser | null; who: { me: Me; area: OrgUnit } | null; live: boolean | null; onSignOut: () => void }) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  return (
    <header className="console-header">
      <h1 className="console-brand">{t('app.brand')}</h1>
      <Space size="middle">
        {live !== null && (
          <Tag color={live ? 'success' : 'warning'} role="status" aria-live="polite">{live ? t('live.on') : t('live.off')}</Tag>
        )}
        {who && <span className="console-user" data-testid="scope">{t('app.scope', { name: (en && who.area.nameEn) || who.area.name })}</span>}
        {user && <span className="console-user" data-testid="user-name" title={who?.me.org.name}>{who?.me.displayName ?? user.name}</span>}
        <Button size="small" onClick={switchLanguage} aria-label={t('lang.switch') === 'English' ? 'Switch to English' : '切换到中文'} lang={t('lang.switch') === 'English' ? 'en' : 'zh-CN'}>
          {t('lang.switch')}
        </Button>
        {user && <Button size="small" onClick={onSignOut}>{t('common.logout')}</Button>}
      </Space>
    </header>
  );
}
