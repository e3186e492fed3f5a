/** The queue on this phone: what waits to be sent, what is being sent, and what needs the worker (conflicts, refusals). */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { Button, Dialog, ErrorBlock, Tag } from 'antd-mobile';
import { useFormat, useSync, go } from './hooks.js';
import { cacheGet, type QueuedOp } from './store.js';
import { pendingCount, problemCount, sync, type SyncSnapshot } from './sync.js';
import type { EventDetail } from './types.js';

/** The short state of the queue: 离线 · 3 条待同步 / 同步中… / 已同步. */
export function syncLabel(s: SyncSnapshot, t: TFunction): { text: string; color: string } {
  const pending = pendingCount(s), problems = problemCount(s);
  if (s.syncing && s.online) return { text: t('sync.syncing'), color: '#1677ff' };
  if (problems) return { text: t('sync.problems', { n: problems }) + (pending ? ` · ${t('sync.pending', { n: pending })}` : ''), color: '#dc2626' };
  if (pending) return { text: t('sync.pending', { n: pending }), color: '#d97706' };
  return { text: t('sync.synced'), color: '#16a34a' };
}

export function SyncPage({ uid }: { uid: number }) {
  const { t } = useTranslation();
  const { time } = useFormat();
  const snap = useSync();
  const label = syncLabel(snap, t);
  return (
    <section aria-labelledby="sync-title" className="w-block">
      <div className="w-card-head">
        <h1 id="sync-title">{t('sync.title')}</h1>
        <span style={{ color: label.color }} role="status" data-testid="sync-page-state">{label.text}</span>
      </div>
      <p className="w-muted">{snap.lastSyncedAt ? t('sync.last', { at: time(snap.lastSyncedAt) }) : t('sync.never')}</p>
      {snap.needLogin && <p className="w-error">{t('sync.needLogin')}</p>}
      <Button color="primary" fill="outline" disabled={!snap.online || snap.syncing || !snap.ops.length} onClick={() => void sync.run()}>{t('sync.now')}</Button>
      {snap.ops.length === 0 ? <ErrorBlock status="empty" title={t('sync.empty')} description="" /> : snap.ops.map((op) => <QueuedOpCard key={op.seq} op={op} uid={uid} />)}
    </section>
  );
}

export function QueuedOpCard({ op, uid, inCase = false }: { op: QueuedOp; uid: number; inCase?: boolean }) {
  const { t } = useTranslation();
  const { time, say } = useFormat();
  const snap = useSync();
  const [current, setCurrent] = useState<EventDetail | null>(null);
  useEffect(() => {
    if (op.kind === 'action' && op.state === 'conflict') void cacheGet<EventDetail>(uid, `case:${op.eventId}`).then((c) => setCurrent(c?.value ?? null));
  }, [op, uid]);

  const inflight = snap.inflight === op.seq;
  const waiting = op.kind === 'action' && op.state === 'pending' && snap.ops.some((o) => o.kind === 'action' && o.eventId === op.eventId && o.seq! < op.seq! && o.state !== 'pending');
  const stateKey = inflight ? 'inflight' : waiting ? 'waiting' : op.state;
  const color = { pending: '#d97706', inflight: '#1677ff', waiting: '#64748b', conflict: '#dc2626', failed: '#dc2626' }[stateKey];
  const what = op.kind === 'report' ? t('patrol.title') : t(`action.${op.action}`);
  const canResubmit = op.kind === 'action' && op.state === 'conflict' && current?.allowedActions.includes(op.action);

  const discard = async () => {
    if (await Dialog.confirm({ content: t('sync.discard.confirm'), confirmText: t('sync.discard'), cancelText: t('common.cancel') })) await sync.discard(op);
  };

  return (
    <div className="w-op" data-testid="queued-op" data-state={stateKey}>
      <div className="w-card-head">
        <strong>{what} · {op.title}</strong>
        <Tag color={color}>{t(`sync.state.${stateKey}`)}</Tag>
      </div>
      <div className="w-muted">
        {time(op.createdAt)}
        {op.photoIds.length ? ` · ${t('sync.photos', { n: op.photoIds.length })}` : ''}
        {op.kind === 'action' && op.note ? ` · ${op.note}` : ''}
        {op.kind === 'report' ? ` · ${op.body.description.slice(0, 40)}` : ''}
      </div>
      {op.error && <div className="w-error" role="alert">{say(op.error)}</div>}
      {op.kind === 'action' && op.state === 'conflict' && current && (
        <div className="w-note">{canResubmit ? t('sync.conflict.help', { status: say(current.statusName) }) : t('sync.conflict.gone')}</div>
      )}
      <div className="w-row">
        {op.kind === 'action' && !inCase && <Button size="small" onClick={() => go(`/case/${op.eventId}`)}>{t('sync.view')}</Button>}
        {canResubmit && <Button size="small" color="primary" onClick={() => void sync.resubmit(op, current!.version)}>{t('sync.resubmit')}</Button>}
        {op.state === 'failed' && <Button size="small" color="primary" fill="outline" onClick={() => void sync.retry(op)}>{t('sync.retry')}</Button>}
        {!inflight && <Button size="small" color="danger" fill="outline" onClick={() => void discard()}>{t('sync.discard')}</Button>}
      </div>
    </div>
  );
}
