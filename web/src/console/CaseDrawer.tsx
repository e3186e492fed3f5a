/**
 * A case: details, photos, location, duplicate candidates, the timeline, and only the actions
 * the server allows now (allowedActions), each through its form.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, App, Button, Descriptions, Drawer, Empty, Image, Result, Skeleton, Space, Tag, Timeline, Typography } from 'antd';
import { api } from '../shared/api.js';
import { createMap, DEADLINE_COLORS, L } from '../shared/map.js';
import { ActionModal } from './ActionModal.js';
import { getEvent } from './client.js';
import { CONSOLE_ACTIONS, type ConsoleAction, type EventDetail, type OrgUnit, type PhotoView } from './types.js';
import { countdown, deadlineColor, deadlineState, disposeMap, errText, fmtTime } from './util.js';
import { useNow } from '../shared/time.js';

interface Props {
  id: number | null;
  scope: OrgUnit;
  /** bumped when the live stream reports a change of this case */
  changedKey: number;
  onClose: () => void;
  onChanged: () => void;
  onOpen: (id: number) => void;
  onLocate: (id: number, lon: number, lat: number) => void;
}

const PRIMARY: ConsoleAction[] = ['accept', 'dispatch', 'verify_pass', 'grant_extension', 'resume'];
const DANGER: ConsoleAction[] = ['reject', 'verify_fail', 'deny_extension'];

export function CaseDrawer({ id, scope, changedKey, onClose, onChanged, onOpen, onLocate }: Props) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [detail, setDetail] = useState<EventDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [action, setAction] = useState<{ action: ConsoleAction; into?: number } | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  const seq = useRef(0);

  const load = useCallback(async (caseId: number, keepConflict = false) => {
    const n = ++seq.current;
    setLoading(true);
    setError(null);
    setStale(false);
    if (!keepConflict) setConflict(null);
    try {
      const d = await getEvent(caseId);
      if (n === seq.current) setDetail(d);
    } catch (e) {
      if (n === seq.current) setError(e);
    } finally {
      if (n === seq.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    setDetail(null);
    setAction(null);
    if (id !== null) void load(id);
  }, [id, load]);
  // a change by someone else: say so, and let the operator reload (the version they act on stays the one they saw)
  const firstKey = useRef(changedKey);
  useEffect(() => {
    if (changedKey === firstKey.current || !detail) return;
    const seen = detail;
    getEvent(seen.id).then((now) => { if (now.version !== seen.version) setStale(true); }, () => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [changedKey]);

  const d = detail && detail.id === id ? detail : null;
  // allowedActions answers by state; deciding on an extension also needs one pending
  const actions = d ? CONSOLE_ACTIONS.filter((a) => d.allowedActions.includes(a) && (d.extensionRequest || (a !== 'grant_extension' && a !== 'deny_extension'))) : [];

  return (
    <Drawer
      open={id !== null} onClose={onClose} size={Math.min(760, Math.max(560, Math.round(window.innerWidth * 0.5)))} mask={false} destroyOnHidden keyboard
      title={
        <span data-testid="drawer-title">
          {t('case.title', { id: id ?? '' })}
          {d && <Tag style={{ marginInlineStart: 8 }} data-testid="case-status">{t(`status.${d.status}`)}</Tag>}
          {d?.urgent && <Tag color="red">{t('list.urgent')}</Tag>}
          {d?.supervised && <Tag color="volcano">{t('case.supervised')}</Tag>}
        </span>
      }
      closable={{ 'aria-label': t('case.close') }}
      extra={id !== null && <Button size="small" onClick={() => void load(id)} loading={loading} data-testid="reload">{t('case.reload')}</Button>}
      className="console-drawer"
    >
      {error !== null && !d && (
        <Result status="warning" title={t('case.notFound')} subTitle={errText(error, i18n.language)} extra={<Button type="primary" onClick={() => id && void load(id)}>{t('common.retry')}</Button>} />
      )}
      {!d && error === null && <Skeleton active aria-label={t('case.loading')} />}
      {d && (
        <div className="console-case" data-testid="case-detail" data-version={d.version}>
          {conflict && <Alert type="error" showIcon role="alert" title={conflict} description={t('action.conflictReloaded')} closable={{ onClose: () => setConflict(null) }} style={{ marginBottom: 12 }} data-testid="conflict" />}
          {error !== null && <Alert type="warning" showIcon role="alert" title={errText(error, i18n.language)} style={{ marginBottom: 12 }} />}
          {stale && !conflict && (
            <Alert type="info" showIcon role="status" style={{ marginBottom: 12 }} title={t('case.stale')} data-testid="stale" action={<Button size="small" onClick={() => void load(d.id)}>{t('case.reload')}</Button>} />
          )}
          <section aria-label={t('case.actions')} className="console-actions">
            {actions.length ? (
              <Space wrap>
                {actions.map((a) => (
                  <Button key={a} type={PRIMARY.includes(a) ? 'primary' : 'default'} danger={DANGER.includes(a)} onClick={() => setAction({ action: a })} data-action={a}>
                    {t(`action.${a}`)}
                  </Button>
                ))}
              </Space>
            ) : <Typography.Text type="secondary">{t('case.noActions')}</Typography.Text>}
          </section>
          <Details d={d} />
          <h3>{t('case.description')}</h3>
          <Typography.Paragraph className="console-desc">{d.description}</Typography.Paragraph>
          {reportPhotos(d).length > 0 && (<><h3>{t('case.photos')}</h3><Photos photos={reportPhotos(d)} what={t('case.description')} /></>)}
          <h3>{t('case.location')}</h3>
          <Location d={d} onLocate={onLocate} />
          {(d.duplicates.length > 0 || d.allowedActions.includes('merge')) && (
            <>
              <h3>{t('case.duplicates')}</h3>
              {d.duplicates.length ? (
                <ul className="console-dups">
                  {d.duplicates.map((x) => (
                    <li key={x.id} data-testid="duplicate">
                      <span>#{x.id} · {t(`status.${x.status}`)} · {t('case.distance', { m: x.distanceM })} · {fmtTime(x.createdAt, i18n.language)}</span>
                      <Space>
                        <Button size="small" onClick={() => onOpen(x.id)}>{t('case.open')}</Button>
                        {d.allowedActions.includes('merge') && <Button size="small" onClick={() => setAction({ action: 'merge', into: x.id })}>{t('case.mergeInto')}</Button>}
                      </Space>
                    </li>
                  ))}
                </ul>
              ) : <Typography.Text type="secondary">{t('case.noDuplicates')}</Typography.Text>}
            </>
          )}
          {d.mergedInto && <Alert style={{ marginTop: 12 }} type="info" title={<a href={`?case=${d.mergedInto}`} onClick={(e) => { e.preventDefault(); onOpen(d.mergedInto!); }}>{t('case.mergedInto', { id: d.mergedInto })}</a>} />}
          {d.mergedCases.length > 0 && (
            <>
              <h3>{t('case.merged')}</h3>
              <Space wrap>{d.mergedCases.map((m) => <Button key={m} size="small" onClick={() => onOpen(m)}>#{m}</Button>)}</Space>
            </>
          )}
          <h3>{t('case.timeline')}</h3>
          <Steps d={d} />
        </div>
      )}
      {d && action && (
        <ActionModal
          action={action.action} detail={d} scope={scope} mergeInto={action.into}
          onCancel={() => setAction(null)}
          onDone={(e) => {
            setAction(null);
            void message.success(t('action.done', { action: t(`action.${action.action}`), id: e.id }));
            onChanged();
            void load(e.id);
          }}
          onConflict={(msg) => {
            setAction(null);
            setConflict(t('action.conflict', { msg }));
            onChanged();
            void load(d.id, true);
          }}
        />
      )}
    </Drawer>
  );
}

/** The photos taken when the case was reported (those of later steps show in the timeline). */
function reportPhotos(d: EventDetail): PhotoView[] {
  const later = new Set(d.timeline.filter((s) => s.action !== 'report' && s.action !== 'report_resolved').flatMap((s) => s.photos.map((p) => p.token)));
  return d.photos.filter((p) => !later.has(p.token));
}

function Details({ d }: { d: EventDetail }) {
  const { t, i18n } = useTranslation();
  const now = useNow(30_000);
  const en = i18n.language === 'en';
  const state = deadlineState(d.deadline, now);
  const left = countdown(d.deadline, now, t);
  const assignee = [d.assignee.unit?.name, d.assignee.user?.name].filter(Boolean).join(' · ');
  const items = [
    { key: 'category', label: t('case.category'), children: `${d.category.code} ${en ? d.category.nameEn : d.category.name}` },
    { key: 'channel', label: t('case.channel'), children: t(`channel.${d.channel}`) },
    { key: 'area', label: t('case.area'), children: d.area.name },
    { key: 'createdAt', label: t('case.createdAt'), children: fmtTime(d.createdAt, i18n.language) },
    ...(d.address ? [{ key: 'address', label: t('case.address'), children: d.address, span: 2 }] : []),
    ...(d.reporter ? [{ key: 'reporter', label: t('case.reporter'), children: d.reporter.anonymous ? t('case.anonymous') : [d.reporter.name, d.reporter.phone].filter(Boolean).join(' ') }] : []),
    { key: 'owner', label: t('case.owner'), children: d.owner.name },
    { key: 'handler', label: t('case.handler'), children: d.handler?.name ?? '—' },
    { key: 'assignee', label: t('case.assignee'), children: <span data-testid="assignee">{assignee || t('case.unitless')}</span> },
    {
      key: 'deadline', label: t('case.deadline'),
      children: d.deadline.stage ? (
        <span style={{ color: deadlineColor(state) }} data-testid="case-deadline">
          {t(`stage.${d.deadline.stage}`)} · {t(`deadline.${state}`)}{left ? ` · ${left}` : ''} ({fmtTime(d.deadline.dueAt, i18n.language)})
        </span>
      ) : '—',
    },
    ...(d.dueAt ? [{ key: 'dueAt', label: t('case.dueAt'), children: fmtTime(d.dueAt, i18n.language) }] : []),
    ...(d.extensionRequest ? [{ key: 'ext', label: t('case.extension'), children: t('case.extensionText', { until: fmtTime(d.extensionRequest.until, i18n.language), reason: d.extensionRequest.reason }), span: 2 }] : []),
    ...(d.reworkCount || d.reopenCount || d.escalationCount ? [{ key: 'counts', label: t('case.history'), children: t('case.counts', { rework: d.reworkCount, reopen: d.reopenCount, esc: d.escalationCount }), span: 2 }] : []),
    ...(d.rating ? [{ key: 'rating', label: t('case.rating'), children: `${t('case.ratingText', { n: d.rating })}${d.ratingComment ? ` · ${d.ratingComment}` : ''}`, span: 2 }] : []),
  ];
  return <Descriptions size="small" column={2} bordered items={items} className="console-details" styles={{ label: { whiteSpace: 'nowrap', width: 96 } }} />;
}

function Photos({ photos, what }: { photos: PhotoView[]; what: string }) {
  const { t } = useTranslation();
  return (
    <Image.PreviewGroup>
      <Space wrap size={6}>
        {photos.map((p, i) => (
          <Image key={p.token} src={p.thumbnailUrl} preview={{ src: p.url }} width={88} height={88} style={{ objectFit: 'cover' }} alt={t('case.photoOf', { n: i + 1, what })} />
        ))}
      </Space>
    </Image.PreviewGroup>
  );
}

function Location({ d, onLocate }: { d: EventDetail; onLocate: (id: number, lon: number, lat: number) => void }) {
  const { t } = useTranslation();
  const el = useRef<HTMLDivElement>(null);
  const loc = d.location;
  const grid = d.area.grid;
  const color = DEADLINE_COLORS[d.deadline.state] ?? DEADLINE_COLORS.normal;
  useEffect(() => {
    if (!loc || !el.current) return;
    let map: L.Map | null = null;
    let cancelled = false;
    void (async () => {
      try {
        map = await createMap(el.current!, { center: [loc.lat, loc.lon], zoom: 16 });
        if (cancelled) return void disposeMap(map);
        if (grid) {
          const f = await api.get<GeoJSON.Feature>(`/api/v1/boundaries/${encodeURIComponent(grid)}?zoom=16`).catch(() => null);
          if (f && !cancelled) {
            const g = L.geoJSON(f, { style: { color: '#65a30d', weight: 1.5, fillOpacity: 0.08 } }).addTo(map);
            map.fitBounds(g.getBounds().extend([loc.lat, loc.lon]), { padding: [12, 12], maxZoom: 17, animate: false });
          }
        }
        if (!cancelled) L.circleMarker([loc.lat, loc.lon], { radius: 8, color: '#111827', weight: 2, fillColor: color, fillOpacity: 1 }).addTo(map);
      } catch { /* the coordinates are shown anyway */ }
    })();
    return () => { cancelled = true; if (map) disposeMap(map); };
  }, [loc?.lon, loc?.lat, grid, color]);
  if (!loc) return <Typography.Text type="secondary">{d.area.name} · {t('case.noLocation')}</Typography.Text>;
  return (
    <div className="console-location">
      <div ref={el} className="console-minimap" role="img" aria-label={`${d.area.name} · ${t('case.coords', { lon: loc.lon.toFixed(6), lat: loc.lat.toFixed(6) })}`} />
      <Space style={{ marginTop: 6 }} wrap>
        <Typography.Text type="secondary">{d.area.name} · {t('case.coords', { lon: loc.lon.toFixed(6), lat: loc.lat.toFixed(6) })}</Typography.Text>
        <Button size="small" onClick={() => onLocate(d.id, loc.lon, loc.lat)}>{t('case.locate')}</Button>
      </Space>
    </div>
  );
}

function Steps({ d }: { d: EventDetail }) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  if (!d.timeline.length) return <Empty description={t('common.empty')} />;
  return (
    <Timeline
      className="console-timeline"
      items={d.timeline.map((s) => {
        const name = en ? s.actionName.en : s.actionName.zh;
        const reason = (s.details?.reason ?? s.details?.instruction) as string | undefined;
        return {
          key: s.id,
          color: s.action === 'overdue' || s.action === 'auto_escalate' || s.action === 'reject' || s.action === 'verify_fail' ? 'red' : s.to === 'closed' ? 'green' : 'blue',
          content: (
            <div className="console-step" data-testid="step" data-step={s.action}>
              <div>
                <strong>{name}</strong>
                {s.eventId !== d.id && <Tag style={{ marginInlineStart: 6 }}>#{s.eventId}</Tag>}
                {s.from && s.from !== s.to && <span className="console-muted"> · {t(`status.${s.from}`)} → {t(`status.${s.to}`)}</span>}
              </div>
              <div className="console-muted">{fmtTime(s.at, i18n.language)} · {s.actor.name}{s.assignee ? ` · ${t('case.timelineAssignee', { who: s.assignee })}` : ''}</div>
              {(s.note ?? reason) && <div className="console-step-note">{s.note ?? reason}</div>}
              {s.photos.length > 0 && <Photos photos={s.photos} what={name} />}
            </div>
          ),
        };
      })}
    />
  );
}
