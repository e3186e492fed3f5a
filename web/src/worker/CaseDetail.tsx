/** A case: what, where, photos, timeline, its queued actions (and their conflicts), and only the actions allowed now. */
import { Suspense, lazy, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, ErrorBlock, ImageViewer, SpinLoading, Tag, Toast } from 'antd-mobile';
import { ApiError, api } from '../shared/api.js';
import { ActionForm } from './ActionForm.js';
import { COLORS, countdown, stateAt } from './deadline.js';
import { useNow } from '../shared/time.js';
import { go, isNetwork, useCachedLoad, useFormat, useSync } from './hooks.js';
import { overlay } from './overlay.js';
import { QueuedOpCard } from './SyncPage.js';
import { cacheGet } from './store.js';
import { sync } from './sync.js';
import { WORK_ACTIONS, type Category, type EventDetail, type EventView, type WorkAction } from './types.js';

const MiniMap = lazy(() => import('./MiniMap.js'));

export function CaseDetail({ uid, id }: { uid: number; id: number }) {
  const { t } = useTranslation();
  const { time, say, en } = useFormat();
  const snap = useSync();
  const [acting, setActing] = useState<WorkAction | null>(null);
  const [viewer, setViewer] = useState<{ urls: string[]; index: number } | null>(null);
  const [categories, setCategories] = useState<Category[]>([]);
  const now = useNow(1000);
  const load = useCachedLoad<EventDetail>(uid, `case:${id}`, () => api.get<EventDetail>(`/api/v1/events/${id}`));
  // offline and never opened: the task list's copy, without timeline and photos
  const [fromList, setFromList] = useState<EventView | null>(null);
  useEffect(() => {
    if (load.data || load.loading) return;
    void (async () => {
      for (const seg of ['todo', 'done']) {
        const l = await cacheGet<EventView[]>(uid, `tasks:${seg}`);
        const v = l?.value.find((x) => x.id === id);
        if (v) { setFromList(v); return; }
      }
    })();
  }, [uid, id, load.data, load.loading]);
  useEffect(() => { void cacheGet<Category[]>(uid, 'categories').then((c) => c && setCategories(c.value)); }, [uid]);
  // when the queue sends (or finds a conflict on) this case, show the server's answer
  useEffect(() => sync.onNews((n) => {
    if ((n.kind === 'action' || n.kind === 'conflict') && n.op.eventId === id) {
      load.merge((d) => ({ ...d, ...n.event }));
      void load.reload();
    }
  }), [id]); // eslint-disable-line react-hooks/exhaustive-deps

  const base: EventDetail | null = load.data?.value ?? (fromList ? { ...fromList, timeline: [], photos: [] } : null);
  const back = (
    <div className="w-back">
      <button type="button" className="w-link" onClick={() => go('/tasks')}>‹ {t('case.back')}</button>
      <span>#{id}</span>
    </div>
  );
  if (!base) {
    if (load.loading) return <>{back}<div className="w-center"><SpinLoading aria-label={t('common.loading')} /></div></>;
    const err = load.error;
    const msg = isNetwork(err) ? t('case.notCached') : err instanceof ApiError ? err.say(en ? 'en' : 'zh') : t('case.loadFailed');
    return <>{back}<ErrorBlock status={isNetwork(err) ? 'disconnected' : 'default'} title={t('case.loadFailed')} description={<><p>{msg}</p><Button size="small" onClick={() => void load.reload()}>{t('common.retry')}</Button></>} /></>;
  }

  const shown = overlay(base, snap.ops);
  const v = shown.view;
  const open = ['dispatched', 'in_progress'].includes(v.status);
  const state = stateAt(v.deadline, now);
  const cd = countdown(v.deadline, now, en);
  const actions = WORK_ACTIONS.filter((a) => v.allowedActions.includes(a));
  const evidenceRequired = categories.find((c) => c.code === v.category.code)?.evidenceRequired ?? false;
  const photos = [...base.photos, ...base.timeline.flatMap((r) => r.photos)].filter((p, i, all) => all.findIndex((x) => x.token === p.token) === i);

  return (
    <article aria-labelledby="case-title">
      {back}
      {((load.data?.cached && !!load.error) || (!load.data && fromList)) && (
        <div className="w-note" role="status">{load.data ? t('case.cached', { at: time(load.data.at) }) : t('case.notCached')}</div>
      )}
      <section className="w-block">
        <div className="w-card-head">
          <h1 id="case-title">{en ? v.category.nameEn : v.category.name}</h1>
          <Tag color="primary" fill="outline" data-testid="case-status">{say(v.statusName)}</Tag>
        </div>
        {open && (
          <div className="w-deadline" style={{ borderColor: COLORS[state] }}>
            <span>{t('case.deadline')}{v.deadline.stage ? `（${t(`stage.${v.deadline.stage}`)}）` : ''}：{time(v.deadline.dueAt)}</span>
            {cd && <strong style={{ color: COLORS[state] }} role="timer">{cd.text}</strong>}
            <Tag color={COLORS[state]}>{t(`deadline.${state}`)}</Tag>
          </div>
        )}
        <div className="w-tags">
          {v.urgent && <Tag color="danger">{t('tag.urgent')}</Tag>}
          {v.supervised && <Tag color="danger" fill="outline">{t('tag.supervised')}</Tag>}
          {v.reworkCount > 0 && <Tag color="warning" fill="outline">{t('tag.rework', { n: v.reworkCount })}</Tag>}
          {v.resolvedOnSpot && <Tag color="success">{t('tag.onSpot')}</Tag>}
        </div>
        {v.extensionRequest && <p className="w-note">{t('case.extension', { until: time(v.extensionRequest.until), reason: v.extensionRequest.reason })}</p>}
        <dl className="w-dl">
          <dt>{t('case.description')}</dt><dd className="w-pre">{v.description}</dd>
          <dt>{t('case.area')}</dt><dd>{v.area.name}</dd>
          {v.address && <><dt>{t('case.address')}</dt><dd>{v.address}</dd></>}
          {v.location && <><dt>{t('case.location')}</dt><dd>{v.location.lon.toFixed(5)}, {v.location.lat.toFixed(5)}</dd></>}
          <dt>{t('case.reported')}</dt><dd>{time(v.createdAt)}</dd>
        </dl>
        {v.location && snap.online && (
          <Suspense fallback={null}><MiniMap lon={v.location.lon} lat={v.location.lat} grid={v.area.grid} label={t('case.map')} /></Suspense>
        )}
      </section>

      {shown.queued.length > 0 && (
        <section className="w-block" aria-labelledby="queued-title">
          <h2 id="queued-title">{t('case.queued')}</h2>
          {shown.queued.map((op) => <QueuedOpCard key={op.seq} op={op} uid={uid} inCase />)}
        </section>
      )}

      <section className="w-block" aria-labelledby="actions-title">
        <h2 id="actions-title">{t('case.actions')}</h2>
        {actions.length ? (
          <div className="w-actions">
            {actions.map((a) => (
              <Button key={a} color={a === 'return' ? 'danger' : a === 'request_extension' ? 'default' : 'primary'} fill={a === 'return' ? 'outline' : 'solid'} onClick={() => setActing(a)}>
                {t(`action.${a}`)}
              </Button>
            ))}
          </div>
        ) : <p className="w-muted">{t('case.noActions')}</p>}
      </section>

      <section className="w-block" aria-labelledby="photos-title">
        <h2 id="photos-title">{t('case.photos')}</h2>
        {photos.length ? (
          <div className="w-thumbs">
            {photos.map((p, i) => (
              <button key={p.token} type="button" className="w-thumb" aria-label={t('case.photo', { n: i + 1 })} onClick={() => setViewer({ urls: photos.map((x) => x.url), index: i })}>
                <img src={p.thumbnailUrl} alt={t('case.photo', { n: i + 1 })} loading="lazy" />
              </button>
            ))}
          </div>
        ) : <p className="w-muted">{t('case.noPhotos')}</p>}
      </section>

      <section className="w-block" aria-labelledby="timeline-title">
        <h2 id="timeline-title">{t('case.timeline')}</h2>
        <ol className="w-timeline">
          {base.timeline.map((r) => (
            <li key={r.id}>
              <div><strong>{say(r.actionName)}</strong> <span className="w-muted">{r.actor.name} · {time(r.at)}</span></div>
              {r.note && <div className="w-pre">{r.note}</div>}
              {r.photos.length > 0 && (
                <div className="w-thumbs small">{r.photos.map((p, i) => <img key={p.token} src={p.thumbnailUrl} alt={t('case.photo', { n: i + 1 })} loading="lazy" />)}</div>
              )}
            </li>
          ))}
        </ol>
      </section>

      {acting && (
        <ActionForm
          uid={uid} view={v} action={acting} evidenceRequired={evidenceRequired}
          onClose={(queued) => {
            setActing(null);
            if (queued) Toast.show({ content: snap.online ? t('sync.queued') : t('sync.saved') });
          }}
        />
      )}
      {viewer && <ImageViewer.Multi images={viewer.urls} defaultIndex={viewer.index} visible onClose={() => setViewer(null)} />}
    </article>
  );
}
