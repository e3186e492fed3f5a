/** My reports (and cases I follow): status, the timeline, and the reporter's actions — rate, reopen, add information, withdraw. */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Dialog, Empty, ErrorBlock, Image, List, PullToRefresh, Rate, SpinLoading, Steps, Tag, TextArea, Toast } from 'antd-mobile';
import { api, ApiError } from '../shared/api.js';
import { localTime } from '../shared/time.js';

interface Msg { zh: string; en: string }
interface CaseItem { id: number; version: number; status: string; statusName: Msg; category: { name: string; nameEn: string }; description: string; createdAt: string; area: { name: string }; rating: number | null; allowedActions: string[] }
interface Step { id: number; eventId: number; action: string; actionName: Msg; note: string | null; at: string; photos: { thumbnailUrl: string; url: string }[] }
interface Detail extends CaseItem { timeline: Step[]; photos: { thumbnailUrl: string; url: string }[]; following: boolean }

const COLORS: Record<string, string> = { reported: 'default', accepted: 'primary', dispatched: 'primary', in_progress: 'primary', handled: 'warning', closed: 'success', rejected: 'danger', withdrawn: 'default', merged: 'default', returned: 'primary', suspended: 'warning' };

export function MyReports({ open, onOpen }: { open: number | null; onOpen: (id: number | null) => void }) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const [items, setItems] = useState<CaseItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = async () => {
    setError(null);
    try { setItems((await api.get<{ items: CaseItem[] }>('/api/v1/events?limit=100')).items); } catch (e) { setError(e instanceof ApiError ? e.say(i18n.language) : String(e)); }
  };
  useEffect(() => { void load(); }, []); // eslint-disable-line react-hooks/exhaustive-deps

  if (open !== null) return <CaseView id={open} onBack={() => { onOpen(null); void load(); }} />;
  if (error) return <ErrorBlock status="disconnected" title={error} description={<Button size="small" onClick={() => void load()}>{t('common.retry')}</Button>} />;
  if (!items) return <div style={{ padding: 48, textAlign: 'center' }}><SpinLoading /></div>;
  if (!items.length) return <Empty description={t('mine.empty')} />;
  return (
    <PullToRefresh onRefresh={load}>
      <List>
        {items.map((c) => (
          <List.Item key={c.id} onClick={() => onOpen(c.id)} description={`#${c.id} · ${c.area.name} · ${localTime(c.createdAt, en ? 'en' : 'zh')}`}
            extra={<Tag color={COLORS[c.status] ?? 'default'}>{en ? c.statusName.en : c.statusName.zh}</Tag>}>
            {en ? c.category.nameEn : c.category.name}
          </List.Item>
        ))}
      </List>
    </PullToRefresh>
  );
}

function CaseView({ id, onBack }: { id: number; onBack: () => void }) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const [c, setC] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [rating, setRating] = useState(5);
  const [comment, setComment] = useState('');
  const load = () => api.get<Detail>(`/api/v1/events/${id}`).then(setC, (e) => setError(e instanceof ApiError ? e.say(i18n.language) : String(e)));
  useEffect(() => { void load(); }, [id]); // eslint-disable-line react-hooks/exhaustive-deps

  const act = async (action: string, body: Record<string, unknown>) => {
    try {
      await api.post(`/api/v1/events/${id}/${action}`, { version: c!.version, ...body });
      await load();
    } catch (e) {
      Toast.show({ content: e instanceof ApiError ? e.say(i18n.language) : String(e), duration: 3000 });
      await load();
    }
  };
  const ask = async (title: string, action: string) => {
    let text = '';
    const ok = await Dialog.confirm({ title, content: <TextArea aria-label={title} rows={3} maxLength={2000} onChange={(v) => { text = v; }} /> });
    if (ok && text.trim()) await act(action, { note: text.trim() });
  };

  if (error) return <ErrorBlock status="default" title={error} description={<Button size="small" onClick={onBack}>{t('d.back')}</Button>} />;
  if (!c) return <div style={{ padding: 48, textAlign: 'center' }}><SpinLoading /></div>;
  const may = (a: string) => c.allowedActions.includes(a);
  return (
    <div style={{ padding: 12 }} data-testid="case-view">
      <Button size="small" onClick={onBack}>{t('d.back')}</Button>
      <h2 style={{ fontSize: 18 }}>#{c.id} {en ? c.category.nameEn : c.category.name} <Tag color={COLORS[c.status]}>{en ? c.statusName.en : c.statusName.zh}</Tag></h2>
      {c.following && <Tag color="primary" fill="outline">{t('d.following')}</Tag>}
      <p>{c.description}</p>
      <div style={{ display: 'flex', gap: 6, flexWrap: 'wrap' }}>
        {c.photos.map((p) => <Image key={p.url} src={p.thumbnailUrl} width={80} height={80} fit="cover" alt="" />)}
      </div>
      <h3 style={{ fontSize: 16 }}>{t('d.timeline')}</h3>
      <Steps direction="vertical" current={c.timeline.length - 1}>
        {c.timeline.map((s) => (
          <Steps.Step key={s.id} title={en ? s.actionName.en : s.actionName.zh} description={
            <div>
              <div>{localTime(s.at, en ? 'en' : 'zh', 'second')}</div>
              {s.note && <div>{s.note}</div>}
              <div style={{ display: 'flex', gap: 4 }}>{s.photos.map((p) => <Image key={p.url} src={p.thumbnailUrl} width={56} height={56} fit="cover" alt="" />)}</div>
            </div>
          } />
        ))}
      </Steps>
      {c.rating !== null && <p>{t('d.rated', { n: c.rating })}</p>}
      {may('rate') && (
        <div data-testid="rate-box" style={{ background: '#fff', padding: 12, borderRadius: 8 }}>
          <div>{t('d.rate')}</div>
          <Rate value={rating} onChange={setRating} aria-label={t('d.rate')} />
          <TextArea placeholder={t('d.rateComment')} value={comment} onChange={setComment} rows={2} maxLength={2000} aria-label={t('d.rateComment')} />
          <Button color="primary" block onClick={() => void act('rate', { rating, ...(comment.trim() ? { note: comment.trim() } : {}) })}>{t('common.submit')}</Button>
        </div>
      )}
      <div style={{ display: 'flex', gap: 8, marginTop: 12, flexWrap: 'wrap' }}>
        {may('reopen') && <Button color="warning" onClick={() => void ask(t('d.reopenReason'), 'reopen')}>{t('d.reopen')}</Button>}
        {may('add_info') && <Button onClick={() => void ask(t('d.addInfoText'), 'add-info')}>{t('d.addInfo')}</Button>}
        {may('withdraw') && <Button color="danger" fill="outline" onClick={() => void act('withdraw', {})}>{t('d.withdraw')}</Button>}
      </div>
    </div>
  );
}
