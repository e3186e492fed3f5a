/**
 * Patrol report (巡查上报): category (with search), description, GPS position with the grid found,
 * photos, "resolved on the spot". Queued on the device with the draft's Idempotency-Key, then synced.
 */
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Form, Input, Popup, TextArea, Toast } from 'antd-mobile';
import { ApiError, api, newKey } from '../shared/api.js';
import { useCachedLoad, useFormat, useSync, isNetwork } from './hooks.js';
import { PhotoPicker, type DraftPhoto } from './PhotoPicker.js';
import { sync } from './sync.js';
import type { LocalPhoto, PatrolBody, ReportOp } from './store.js';
import type { Category, Located, Me } from './types.js';

interface Values { categoryCode?: string; description?: string; address?: string }

interface Place {
  status: 'locating' | 'ok' | 'failed';
  lon?: number; lat?: number;
  /** the grid and village found by the server; undefined while offline */
  located?: Located | null;
  outside?: boolean;
  error?: string;
}

export function Patrol({ uid, me }: { uid: number; me: Me | null }) {
  const { t } = useTranslation();
  const { en } = useFormat();
  const snap = useSync();
  const [form] = Form.useForm<Values>();
  const cats = useCachedLoad<Category[]>(uid, 'categories', async () => (await api.get<{ items: Category[] }>('/api/v1/event-categories')).items.filter((c) => c.active));
  const [key, setKey] = useState(() => newKey()); // one Idempotency-Key per draft, kept across its retries
  const [photos, setPhotos] = useState<DraftPhoto[]>([]);
  const [photoError, setPhotoError] = useState<string | null>(null);
  const [onSpot, setOnSpot] = useState(false);
  const [place, setPlace] = useState<Place>({ status: 'locating' });
  const [useGrid, setUseGrid] = useState(false);
  const [placeError, setPlaceError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pickerKey, setPickerKey] = useState(0);

  function locate() {
    setUseGrid(false);
    setPlaceError(null);
    if (!('geolocation' in navigator)) { setPlace({ status: 'failed', error: t('geo.unsupported') }); return; }
    setPlace({ status: 'locating' });
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        const lon = Math.round(pos.coords.longitude * 1e6) / 1e6, lat = Math.round(pos.coords.latitude * 1e6) / 1e6;
        setPlace({ status: 'ok', lon, lat });
        api.get<Located>(`/api/v1/locate?lon=${lon}&lat=${lat}`).then(
          (located) => { sync.network(true); setPlace({ status: 'ok', lon, lat, located }); },
          (e) => {
            if (isNetwork(e)) sync.network(false);
            const outside = e instanceof ApiError && (e.status === 422 || e.code === 'OUTSIDE_JURISDICTION');
            setPlace({ status: 'ok', lon, lat, outside });
          },
        );
      },
      (err) => setPlace({ status: 'failed', error: t(err.code === 1 ? 'geo.denied' : err.code === 3 ? 'geo.timeout' : 'geo.unavailable') }),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 30_000 },
    );
  }
  useEffect(locate, []); // eslint-disable-line react-hooks/exhaustive-deps

  const categories = cats.data?.value ?? [];
  async function submit(v: Values) {
    const cat = categories.find((c) => c.code === v.categoryCode);
    let bad = false;
    const hasPoint = place.status === 'ok' && !place.outside;
    if (!hasPoint && !(useGrid && me)) { setPlaceError(t('patrol.location.required')); bad = true; }
    if (onSpot && cat?.evidenceRequired && !photos.length) { setPhotoError(t('patrol.onSpot.photos')); bad = true; }
    if (bad || !cat || busy) return;
    setBusy(true);
    try {
      const now = Date.now();
      const body: PatrolBody = {
        channel: 'patrol', categoryCode: cat.code, description: v.description!.trim(), resolvedOnSpot: onSpot,
        ...(hasPoint && !useGrid ? { location: { lon: place.lon!, lat: place.lat! } } : { unitCode: me!.org.code }),
        ...(v.address?.trim() ? { address: v.address.trim() } : {}),
      };
      const local: LocalPhoto[] = photos.map((p) => ({ id: p.id, userId: uid, bytes: p.bytes, mime: 'image/jpeg', createdAt: now }));
      const op: ReportOp = {
        kind: 'report', userId: uid, createdAt: now, key, body, photoIds: local.map((p) => p.id), state: 'pending', attempts: 0,
        title: en ? cat.nameEn : cat.name,
      };
      await sync.add(op, local);
      // a fresh draft (and a fresh key) for the next report
      form.resetFields();
      setPhotos([]);
      setPickerKey((n) => n + 1);
      setOnSpot(false);
      setKey(newKey());
      Toast.show({ content: `${snap.online ? t('sync.queued') : t('sync.saved')}。${t('patrol.cleared')}` });
    } catch (e) {
      Toast.show({ content: t('action.saveFailed', { msg: e instanceof Error ? e.message : String(e) }) });
    } finally {
      setBusy(false);
    }
  }

  const placeText = place.status === 'locating' ? t('patrol.locating')
    : place.status === 'failed' ? t('patrol.locate.failed', { msg: place.error })
    : place.outside ? t('patrol.outside')
    : place.located ? [place.located.county?.name, place.located.township?.name, place.located.village?.name, place.located.grid?.name].filter(Boolean).join(' · ')
    : t('patrol.locatedOffline');

  return (
    <section aria-labelledby="patrol-title">
      <h1 id="patrol-title" className="w-title">{t('patrol.title')}</h1>
      <Form
        name="patrol" form={form} layout="vertical" onFinish={(v) => void submit(v)}
        footer={<Button block type="submit" color="primary" size="large" loading={busy} disabled={busy}>{t('patrol.submit')}</Button>}
      >
        <Form.Item name="categoryCode" label={t('patrol.category')} rules={[{ required: true, message: t('patrol.category.required') }]}>
          <CategoryField categories={categories} loading={cats.loading && !cats.data} />
        </Form.Item>
        <Form.Item
          name="description" label={t('patrol.description')}
          rules={[{ required: true, whitespace: true, message: t('patrol.description.required') }, { max: 4000 }]}
        >
          <TextArea placeholder={t('patrol.description.placeholder')} maxLength={4000} showCount autoSize={{ minRows: 3, maxRows: 8 }} />
        </Form.Item>
        <Form.Item label={t('patrol.location')}>
          {[
            <div key="place" className="w-place" role="status" aria-live="polite" data-testid="patrol-place">
              {useGrid && me ? t('patrol.myGrid', { name: me.org.name }) : placeText}
              {place.status === 'ok' && !useGrid && <div className="w-muted">{place.lon!.toFixed(5)}, {place.lat!.toFixed(5)}</div>}
            </div>,
            <div key="buttons" className="w-row">
              <Button size="small" onClick={locate} disabled={place.status === 'locating'}>{t('patrol.relocate')}</Button>
              {me && !useGrid && (place.status === 'failed' || place.outside) && (
                <Button size="small" onClick={() => { setUseGrid(true); setPlaceError(null); }}>{t('patrol.useMyGrid', { name: me.org.name })}</Button>
              )}
            </div>,
            placeError ? <div key="err" className="w-error" role="alert">{placeError}</div> : null,
          ]}
        </Form.Item>
        <Form.Item name="address" label={t('patrol.address')} rules={[{ max: 200 }]}>
          <Input placeholder={t('patrol.address.placeholder')} maxLength={200} clearable />
        </Form.Item>
        <Form.Item label={t('patrol.photos')}>
          {[
            <PhotoPicker key={pickerKey} value={photos} onChange={(p) => { setPhotos(p); setPhotoError(null); }} label={t('patrol.photos')} />,
            photoError ? <div key="err" className="w-error" role="alert">{photoError}</div> : null,
          ]}
        </Form.Item>
        <Form.Item label={t('patrol.onSpot')} description={t('patrol.onSpot.help')}>
          {[
            <label key="sw" className="w-switch">
              <input type="checkbox" role="switch" aria-checked={onSpot} checked={onSpot} onChange={(e) => { setOnSpot(e.target.checked); setPhotoError(null); }} />
              <span>{t('patrol.onSpot')}</span>
            </label>,
          ]}
        </Form.Item>
      </Form>
    </section>
  );
}

/** The category as a button opening a searchable list (name, English name, keywords, group, code). */
function CategoryField({ id, value, onChange, categories, loading }: { id?: string; value?: string; onChange?: (v: string) => void; categories: Category[]; loading: boolean }) {
  const { t } = useTranslation();
  const { en } = useFormat();
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const chosen = categories.find((c) => c.code === value);
  const found = useMemo(() => {
    const s = q.trim().toLowerCase();
    const list = s ? categories.filter((c) => [c.code, c.name, c.nameEn, c.groupName, c.groupNameEn, ...c.keywords].some((x) => x.toLowerCase().includes(s))) : categories;
    return list.slice(0, 80);
  }, [q, categories]);
  return (
    <>
      <button id={id} type="button" className="w-select" aria-haspopup="dialog" onClick={() => setOpen(true)} disabled={loading && !categories.length}>
        {chosen ? `${en ? chosen.groupNameEn : chosen.groupName} / ${en ? chosen.nameEn : chosen.name}` : loading ? t('common.loading') : t('patrol.category.pick')}
      </button>
      <Popup visible={open} onMaskClick={() => setOpen(false)} onClose={() => setOpen(false)} position="bottom" bodyClassName="w-sheet tall" destroyOnClose>
        <div role="dialog" aria-modal="true" aria-label={t('patrol.category.pick')}>
          <div className="w-search">
            <Input placeholder={t('patrol.category.search')} value={q} onChange={setQ} autoFocus clearable aria-label={t('patrol.category.search')} />
          </div>
          {found.length ? (
            <ul className="w-options" aria-label={t('patrol.category')}>
              {found.map((c) => (
                <li key={c.code}>
                  <button type="button" aria-pressed={c.code === value} onClick={() => { onChange?.(c.code); setOpen(false); setQ(''); }}>
                    <span>{en ? c.nameEn : c.name}{c.code === value ? ' ✓' : ''}</span>
                    <small>{en ? c.groupNameEn : c.groupName} · {c.code}</small>
                  </button>
                </li>
              ))}
            </ul>
          ) : <p className="w-muted w-pad">{t('patrol.category.none')}</p>}
        </div>
      </Popup>
    </>
  );
}
