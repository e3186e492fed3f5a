/** "My tasks": cases assigned to me, soonest deadline first, with live countdowns; pull to refresh; offline from the device. */
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, ErrorBlock, PullToRefresh, Segmented, SpinLoading, Tag } from 'antd-mobile';
import { ApiError, api } from '../shared/api.js';
import { COLORS, countdown, dueKey, stateAt } from './deadline.js';
import { useNow } from '../shared/time.js';
import { useCachedLoad, useFormat, useSync, isNetwork } from './hooks.js';
import { overlay } from './overlay.js';
import { sync } from './sync.js';
import type { EventDetail, EventView } from './types.js';
import { cacheGet, cachePut } from './store.js';

const STATUSES = { todo: 'dispatched,in_progress', done: 'handled,closed' } as const;

export function Tasks({ uid }: { uid: number }) {
  const { t } = useTranslation();
  const { time, say } = useFormat();
  const [seg, setSeg] = useState<'todo' | 'done'>('todo');
  const snap = useSync();
  const list = useCachedLoad<EventView[]>(uid, `tasks:${seg}`, async () =>
    (await api.get<{ items: EventView[] }>(`/api/v1/events?mine=assigned&status=${STATUSES[seg]}&limit=${seg === 'todo' ? 200 : 50}`)).items);

  // a synced action or report changes the list: fetch it again
  useEffect(() => sync.onNews((n) => {
    if (n.kind === 'action') list.merge((items) => items.map((x) => (x.id === n.event.id ? n.event : x)));
    if (n.kind === 'action' || n.kind === 'report') void list.reload();
  }), [list.reload]); // eslint-disable-line react-hooks/exhaustive-deps

  // keep the details of the open tasks on the device, for work without a connection
  useEffect(() => {
    if (seg !== 'todo' || !list.data || list.data.cached) return;
    void prefetch(uid, list.data.value);
  }, [uid, seg, list.data]);

  const items = useMemo(() => {
    const shown = (list.data?.value ?? []).map((v) => overlay(v, snap.ops));
    return seg === 'todo' ? shown.sort((a, b) => dueKey(a.view) - dueKey(b.view)) : shown.sort((a, b) => b.view.updatedAt.localeCompare(a.view.updatedAt));
  }, [list.data, snap.ops, seg]);

  let body;
  if (!list.data && list.loading) body = <div className="w-center"><SpinLoading aria-label={t('common.loading')} /></div>;
  else if (!list.data) {
    body = (
      <ErrorBlock status={isNetwork(list.error) ? 'disconnected' : 'default'} title={t('tasks.loadFailed')} description={<Button size="small" onClick={() => void list.reload()}>{t('common.retry')}</Button>} />
    );
  } else if (!items.length) body = <ErrorBlock status="empty" title={t(seg === 'todo' ? 'tasks.empty' : 'tasks.emptyDone')} description="" />;
  else body = <ul className="w-list" aria-label={t('nav.tasks')}>{items.map((s) => <TaskCard key={s.view.id} view={s.view} queued={s.queued.length > 0} />)}</ul>;

  return (
    <section aria-labelledby="tasks-title">
      <h1 id="tasks-title" className="w-sr">{t('nav.tasks')}</h1>
      <div className="w-bar">
        <Segmented
          value={seg} onChange={(v) => setSeg(v as 'todo' | 'done')}
          options={[{ label: t('tasks.todo'), value: 'todo' }, { label: t('tasks.done'), value: 'done' }]}
        />
        <span className="w-row-tight">
          {list.data && <span className="w-muted">{t('tasks.count', { n: items.length })}</span>}
          <Button size="mini" fill="none" color="primary" loading={list.loading} onClick={() => void list.reload()}>{t('tasks.refresh')}</Button>
        </span>
      </div>
      {list.data?.cached && !!list.error && (
        <div className="w-note" role="status">
          {isNetwork(list.error) ? t('tasks.cached', { at: time(list.data.at) }) : `${t('tasks.loadFailed')}：${list.error instanceof ApiError ? say(list.error.text) : String(list.error)}`}
        </div>
      )}
      <PullToRefresh onRefresh={() => list.reload()} pullingText={t('tasks.pull')} canReleaseText={t('tasks.release')} refreshingText={t('tasks.refreshing')} completeText={t('tasks.refreshed')}>
        <div className="w-pull">{body}</div>
      </PullToRefresh>
    </section>
  );
}

function TaskCard({ view, queued }: { view: EventView; queued: boolean }) {
  const { t } = useTranslation();
  const { en, say } = useFormat();
  const now = useNow(1000);
  const state = stateAt(view.deadline, now);
  const cd = countdown(view.deadline, now, en);
  const open = ['dispatched', 'in_progress'].includes(view.status);
  const color = open ? COLORS[state] : '#94a3b8';
  return (
    <li>
      <a className="w-card" href={`#/case/${view.id}`} style={{ borderLeftColor: color }} data-deadline={open ? state : undefined} data-testid={`task-${view.id}`}>
        <div className="w-card-head">
          <strong>#{view.id} {en ? view.category.nameEn : view.category.name}</strong>
          <Tag color={view.status === 'dispatched' ? 'primary' : view.status === 'in_progress' ? 'warning' : 'default'} fill="outline">{say(view.statusName)}</Tag>
        </div>
        <p className="w-desc">{view.description}</p>
        <div className="w-muted">{view.area.name}{view.address ? ` · ${view.address}` : ''}</div>
        <div className="w-card-foot">
          {open && cd ? (
            <span className="w-countdown" style={{ color }} role="timer" aria-live="off">
              {view.deadline.stage ? `${t(`stage.${view.deadline.stage}`)} · ` : ''}{cd.text}
            </span>
          ) : open ? <span className="w-muted">{t('tasks.noDeadline')}</span> : null}
          {open && <Tag color={color} fill="solid">{t(`deadline.${state}`)}</Tag>}
          {view.urgent && <Tag color="danger">{t('tag.urgent')}</Tag>}
          {view.supervised && <Tag color="danger" fill="outline">{t('tag.supervised')}</Tag>}
          {view.reworkCount > 0 && <Tag color="warning" fill="outline">{t('tag.rework', { n: view.reworkCount })}</Tag>}
          {queued && <Tag color="#7c3aed">{t('tasks.queued')}</Tag>}
        </div>
      </a>
    </li>
  );
}

/** Details of up to 30 open tasks, one at a time, kept on the device (skipped when already fresh). */
let prefetching = false;
async function prefetch(uid: number, items: EventView[]) {
  if (prefetching) return;
  prefetching = true;
  try {
    for (const v of items.slice(0, 30)) {
      const c = await cacheGet<EventDetail>(uid, `case:${v.id}`);
      if (c && c.value.version === v.version && Array.isArray(c.value.timeline) && c.value.timeline.length) continue;
      try {
        await cachePut(uid, `case:${v.id}`, await api.get<EventDetail>(`/api/v1/events/${v.id}`));
      } catch {
        return;
      }
    }
  } finally {
    prefetching = false;
  }
}
