/** The indicator cards (DESIGN.md §4): 立案, 结案, 结案率, 按期结案率, 满意率, 就地解决率, 平均处置时长, 返工率, and 上报. */
import { useTranslation } from 'react-i18next';
import type { Indicators } from './data.js';
import { duration, rate } from './format.js';

interface Card { key: string; value: string; sub?: string; tone?: 'good' | 'warn' }

export function Kpis({ ind }: { ind: Indicators }) {
  const { t } = useTranslation();
  const cards: Card[] = [
    { key: 'reported', value: String(ind.reported) },
    { key: 'accepted', value: String(ind.accepted) },
    { key: 'closed', value: String(ind.closed) },
    { key: 'closureRate', value: rate(ind.closureRate), sub: t('kpi.dueToClose', { n: ind.dueToClose }) },
    { key: 'onTimeRate', value: rate(ind.onTimeRate) },
    { key: 'satisfactionRate', value: rate(ind.satisfactionRate), sub: t('kpi.rated', { n: ind.rated }) },
    { key: 'localResolutionRate', value: rate(ind.localResolutionRate) },
    { key: 'avgHandling', value: duration(ind.avgHandlingSeconds, t) },
    { key: 'reworkRate', value: rate(ind.reworkRate), tone: ind.reworkRate ? 'warn' : undefined },
  ];
  return (
    <ul className="kpis" aria-label={t('kpi.title')}>
      {cards.map((c) => (
        <li key={c.key} className={`kpi ${c.tone ?? ''}`} aria-label={`${t(`kpi.${c.key}`)}：${c.value}`}>
          <span className="kpi-label">{t(`kpi.${c.key}`)}</span>
          <strong className="kpi-value" data-testid={`kpi-${c.key}`}>{c.value}</strong>
          {c.sub && <span className="kpi-sub">{c.sub}</span>}
        </li>
      ))}
    </ul>
  );
}
