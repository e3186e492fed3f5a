/** The trend lines and the category breakdown. */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Chart, type ChartOption } from './Chart.js';
import type { Category, SeriesPoint } from './data.js';
import { buckets } from './period.js';

const AXIS = { axisLine: { lineStyle: { color: '#334155' } }, axisLabel: { color: '#94a3b8' }, splitLine: { lineStyle: { color: '#1e293b' } } };
const KEYS = ['reported', 'accepted', 'closed', 'closedOnTime'] as const;
const COLORS = ['#38bdf8', '#a78bfa', '#34d399', '#fbbf24'];

interface Drawn { onDrawn?: () => void }

export function TrendChart({ points, from, to, interval, title, onDrawn }: { points: SeriesPoint[]; from: string; to: string; interval: 'day' | 'month'; title: string } & Drawn) {
  const { t, i18n } = useTranslation();
  const option = useMemo<ChartOption>(() => {
    const labels = buckets(from, to, interval);
    const by = new Map(points.map((p) => [p.bucket, p]));
    return {
      color: COLORS,
      grid: { left: 36, right: 12, top: 36, bottom: 24 },
      tooltip: { trigger: 'axis' },
      legend: { top: 0, textStyle: { color: '#cbd5e1' } },
      xAxis: { type: 'category', data: labels.map((b) => (interval === 'day' ? b.slice(5) : b.slice(0, 7))), boundaryGap: false, ...AXIS },
      yAxis: { type: 'value', minInterval: 1, ...AXIS },
      series: KEYS.map((k) => ({ type: 'line' as const, name: t(`trend.${k}`), smooth: true, symbolSize: 5, data: labels.map((b) => by.get(b)?.[k] ?? 0) })),
    };
  }, [points, from, to, interval, t, i18n.language]);
  const total = points.reduce((n, p) => n + p.reported, 0);
  return <Chart option={option} label={title} summary={`${title}: ${t('trend.reported')} ${total}`} onDrawn={onDrawn} />;
}

export function CategoryChart({ items, cats, title, onDrawn }: { items: { code: string; n: number }[]; cats: Map<string, Category>; title: string } & Drawn) {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  const option = useMemo<ChartOption>(() => {
    const top = items.slice(0, 10).reverse();
    return {
    grid: { left: 8, right: 36, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', minInterval: 1, ...AXIS },
    yAxis: { type: 'category', data: top.map((c) => { const x = cats.get(c.code); return x ? (en ? x.nameEn : x.name) : c.code; }), ...AXIS, axisLabel: { color: '#cbd5e1', width: 120, overflow: 'truncate' } },
    series: [{ type: 'bar', data: top.map((c) => c.n), itemStyle: { color: '#38bdf8', borderRadius: [0, 3, 3, 0] }, label: { show: true, position: 'right', color: '#e2e8f0' }, barMaxWidth: 18 }],
    };
  }, [items, cats, en]);
  const summary = `${title}: ${items.slice(0, 5).map((c) => `${cats.get(c.code)?.[en ? 'nameEn' : 'name'] ?? c.code} ${c.n}`).join(', ')}`;
  return <Chart option={option} label={title} summary={summary} onDrawn={onDrawn} />;
}
