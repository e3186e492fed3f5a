/** The queue's statuses with their counts and overdue counts. */
import { useTranslation } from 'react-i18next';
import { Tabs } from 'antd';
import { OPEN_STATUSES, type Counts } from './types.js';

const FINISHED = ['closed', 'rejected', 'withdrawn', 'merged'];

export function StatusTabs({ counts, status, onChange }: { counts: Counts | null; status: string | undefined; onChange: (s: string | undefined) => void }) {
  const { t } = useTranslation();
  const of = (s: string) => counts?.byStatus.find((b) => b.status === s);
  const shown = [...OPEN_STATUSES, ...FINISHED.filter((s) => s === 'closed' || s === status || (of(s)?.n ?? 0) > 0)];
  const label = (key: string, name: string, n: number | undefined, overdue: number | undefined) => (
    <span className="console-tab" data-testid={`tab-${key}`}>
      {name}
      <span className="console-tab-count" data-testid={`count-${key}`}>{counts ? n ?? 0 : '…'}</span>
      {!!overdue && <span className="console-tab-overdue" data-testid={`overdue-${key}`}>{t('status.overdue', { n: overdue })}</span>}
    </span>
  );
  return (
    <nav aria-label={t('status.tabs')}>
      <Tabs
        activeKey={status ?? 'all'} size="small" className="console-tabs"
        onChange={(k) => onChange(k === 'all' ? undefined : k)}
        items={[
          { key: 'all', label: label('all', t('status.all'), counts?.total, counts?.overdue) },
          ...shown.map((s) => ({ key: s, label: label(s, t(`status.${s}`), of(s)?.n, of(s)?.overdue) })),
        ]}
      />
    </nav>
  );
}
