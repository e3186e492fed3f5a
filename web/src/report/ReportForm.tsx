/**
 * The report: where, what, a description, photos; the duplicate hint when the same problem is
 * already being handled nearby; one Idempotency-Key per draft, so a double tap or a retry never
 * makes two cases. Server validation errors show next to their field.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Card, ErrorBlock, Form, ImageUploader, Input, NoticeBar, Result, Selector, Switch, TextArea, Toast, type ImageUploadItem } from 'antd-mobile';
import { api, ApiError, deviceId, newKey } from '../shared/api.js';
import { uploadPhoto } from '../shared/photos.js';
import { LocationPicker, type Point } from './LocationPicker.js';
import { CategoryPicker, type Category, type Field } from './CategoryPicker.js';

interface Duplicate { id: number; distanceM: number; status: string }

export function ReportForm({ onShow }: { onShow: (id: number) => void }) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const [categories, setCategories] = useState<Category[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [point, setPoint] = useState<Point | null>(null);
  const [category, setCategory] = useState<Category | null>(null);
  const [description, setDescription] = useState('');
  const [address, setAddress] = useState('');
  const [attributes, setAttributes] = useState<Record<string, unknown>>({});
  const [photos, setPhotos] = useState<ImageUploadItem[]>([]);
  const [anonymous, setAnonymous] = useState(false);
  const [dups, setDups] = useState<Duplicate[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<number | null>(null);
  const [repeated, setRepeated] = useState(false);
  const key = useRef(newKey());

  const loadCategories = () => {
    setLoadError(null);
    api.get<{ items: Category[] }>('/api/v1/event-categories').then((r) => setCategories(r.items), (e) => setLoadError(e instanceof ApiError ? e.say(i18n.language) : String(e)));
  };
  useEffect(loadCategories, []); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    setDups([]);
    if (!point || !category) return;
    api.get<{ items: Duplicate[] }>(`/api/v1/events/duplicates?category=${category.code}&lon=${point.lon}&lat=${point.lat}`).then((r) => setDups(r.items), () => undefined);
  }, [point, category]);

  if (loadError) return <ErrorBlock status="disconnected" title={loadError} description={<Button size="small" onClick={loadCategories}>{t('common.retry')}</Button>} />;
  if (done !== null) {
    return (
      <Result status="success" title={t('ok.title')} description={
        <div>
          <p>{t(repeated ? 'ok.repeated' : 'ok.text', { id: done })}</p>
          <Button color="primary" onClick={() => onShow(done)} style={{ marginRight: 8 }}>{t('ok.view')}</Button>
          <Button onClick={() => { setDone(null); setDescription(''); setPhotos([]); setAttributes({}); setAddress(''); key.current = newKey(); }}>{t('ok.again')}</Button>
        </div>
      } />
    );
  }

  const follow = async (id: number) => {
    try {
      await api.post(`/api/v1/events/${id}/follow`);
      Toast.show({ content: t('dup.followed') });
      onShow(id);
    } catch (e) { Toast.show({ content: e instanceof ApiError ? e.say(i18n.language) : String(e) }); }
  };

  const submit = async () => {
    const missing: Record<string, string> = {};
    if (!point) missing.location = t('f.noPoint');
    if (!category) missing.categoryCode = t('f.required');
    if (!description.trim()) missing.description = t('f.required');
    for (const f of category?.fields ?? []) if (f.required && (attributes[f.code] === undefined || attributes[f.code] === '')) missing[`attributes.${f.code}`] = t('f.required');
    setErrors(missing);
    if (Object.keys(missing).length || busy) return;
    setBusy(true);
    try {
      const body = {
        categoryCode: category!.code, description: description.trim(), location: { lon: point!.lon, lat: point!.lat },
        ...(address.trim() ? { address: address.trim() } : {}), ...(Object.keys(attributes).length ? { attributes } : {}),
        photos: photos.map((p) => p.extra as string), anonymous,
      };
      const r = await api.post<{ event: { id: number }; repeated?: boolean }>('/api/v1/events', body, { 'idempotency-key': key.current, 'x-device-id': deviceId() });
      setRepeated(!!r.repeated);
      setDone(r.event.id);
    } catch (e) {
      if (e instanceof ApiError && e.field) setErrors({ [e.field]: e.say(i18n.language) });
      else Toast.show({ content: e instanceof ApiError ? e.say(i18n.language) : String(e), duration: 3000 });
    } finally {
      setBusy(false);
    }
  };

  const err = (name: string) => errors[name] ? <div role="alert" style={{ color: '#dc2626', fontSize: 13 }}>{errors[name]}</div> : null;

  return (
    <Form layout="vertical" footer={<Button block color="primary" size="large" loading={busy} loadingText={t('f.submitting')} onClick={() => void submit()}>{t('f.submit')}</Button>}>
      <Form.Item label={t('f.location')}>
        <LocationPicker value={point} onChange={(p) => setPoint(p)} error={errors.location} />
      </Form.Item>
      <Form.Item label={t('f.category')}>
        {categories && <CategoryPicker categories={categories} value={category} onChange={(c) => { setCategory(c); setAttributes({}); }} />}
        {err('categoryCode')}
      </Form.Item>
      {dups.length > 0 && (
        <Card title={t('dup.title')} style={{ margin: '0 12px', border: '1px solid #faad14' }} data-testid="duplicate-hint">
          <NoticeBar content={t('dup.text', { m: dups[0].distanceM, id: dups[0].id })} color="alert" wrap />
          <Button size="small" color="warning" style={{ marginTop: 8 }} onClick={() => void follow(dups[0].id)}>{t('dup.follow')}</Button>
        </Card>
      )}
      {category?.fields.map((f) => (
        <Form.Item key={f.code} label={`${en ? f.name.en : f.name.zh}${f.required ? ' *' : ''}`}>
          <FieldInput field={f} value={attributes[f.code]} onChange={(v) => setAttributes({ ...attributes, [f.code]: v })} />
          {err(`attributes.${f.code}`)}
        </Form.Item>
      ))}
      <Form.Item label={t('f.description')}>
        <TextArea value={description} onChange={setDescription} placeholder={t('f.descriptionPh')} maxLength={4000} showCount rows={4} aria-label={t('f.description')} />
        {err('description')}
      </Form.Item>
      <Form.Item label={t('f.address')}>
        <Input value={address} onChange={setAddress} maxLength={200} aria-label={t('f.address')} clearable />
      </Form.Item>
      <Form.Item label={t('f.photos')}>
        <ImageUploader value={photos} onChange={setPhotos} maxCount={9} multiple accept="image/jpeg,image/png,image/webp"
          upload={async (file) => {
            const up = await uploadPhoto(file);
            return { url: URL.createObjectURL(file), extra: up.token, key: up.token };
          }} />
        {err('photos')}
      </Form.Item>
      <Form.Item label={t('f.anonymous')} layout="horizontal" childElementPosition="right">
        <Switch checked={anonymous} onChange={setAnonymous} aria-label={t('f.anonymous')} />
      </Form.Item>
    </Form>
  );
}

function FieldInput({ field, value, onChange }: { field: Field; value: unknown; onChange: (v: unknown) => void }) {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  const label = en ? field.name.en : field.name.zh;
  const options = (field.values ?? []).map((v) => ({ label: en ? v.name.en : v.name.zh, value: v.key }));
  switch (field.type) {
    case 'singlevaluelist':
      return <Selector options={options} value={value ? [value as string] : []} onChange={(v) => onChange(v[0])} aria-label={label} />;
    case 'multivaluelist':
      return <Selector multiple options={options} value={(value as string[]) ?? []} onChange={onChange} aria-label={label} />;
    case 'number':
      return <Input type="number" inputMode="decimal" value={value === undefined ? '' : String(value)} onChange={(v) => onChange(v === '' ? undefined : Number(v))} aria-label={label} />;
    case 'datetime':
      return <input type="datetime-local" aria-label={label} style={{ fontSize: 16, width: '100%' }} onChange={(e) => onChange(e.target.value ? new Date(e.target.value).toISOString() : undefined)} />;
    case 'text':
      return <TextArea value={(value as string) ?? ''} onChange={onChange} rows={2} maxLength={4000} aria-label={label} />;
    default:
      return <Input value={(value as string) ?? ''} onChange={onChange} maxLength={200} aria-label={label} />;
  }
}
