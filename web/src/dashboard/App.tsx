/** The session decides: sign in, change the password, or the dashboard. */
import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { logout } from '../shared/api.js';
import { StaffGate } from '../shared/dashboard-login.js';
import { Dashboard } from './Dashboard.js';

export function App() {
  const { t } = useTranslation();
  return (
    <StaffGate title={t('app.login')}>
      {(user, signedOut) => user.kind === 'staff' ? <Dashboard user={user} onSignedOut={signedOut} />
        : <Result status="403" title={t('noAccess')} extra={<Button onClick={() => void logout().then(signedOut)}>{t('common.logout')}</Button>} />}
    </StaffGate>
  );
}
