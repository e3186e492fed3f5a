/** Photos for an action or a report: from the camera or the album, compressed at once, with previews. */
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { newKey } from '../shared/api.js';
import { compressImage } from './image.js';

export interface DraftPhoto { id: string; bytes: ArrayBuffer; url: string }

export const MAX_PHOTOS = 9;

export function PhotoPicker({ value, onChange, label }: { value: DraftPhoto[]; onChange: (v: DraftPhoto[]) => void; label: string }) {
  const { t } = useTranslation();
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // previews are object URLs: freed when the picker goes
  const current = useRef(value);
  current.current = value;
  useEffect(() => () => current.current.forEach((p) => URL.revokeObjectURL(p.url)), []);

  async function add(files: FileList | null) {
    if (!files?.length) return;
    setBusy(true);
    setError(null);
    const next = [...value];
    const bad: string[] = [];
    for (const f of Array.from(files)) {
      if (next.length >= MAX_PHOTOS) { setError(t('photos.max', { n: MAX_PHOTOS })); break; }
      try {
        const c = await compressImage(f);
        next.push({ id: newKey(), bytes: c.bytes, url: URL.createObjectURL(new Blob([c.bytes], { type: 'image/jpeg' })) });
      } catch {
        bad.push(f.name);
      }
    }
    if (bad.length) setError(t('photos.notImage', { name: bad.join('、') }));
    setBusy(false);
    onChange(next);
  }

  const remove = (p: DraftPhoto) => {
    URL.revokeObjectURL(p.url);
    onChange(value.filter((x) => x !== p));
  };

  const input = (capture: boolean) => (
    <label className="w-pick" htmlFor={`${id}-${capture ? 'cam' : 'album'}`}>
      {t(capture ? 'photos.camera' : 'photos.album')}
      <input
        id={`${id}-${capture ? 'cam' : 'album'}`} type="file" accept="image/*" multiple={!capture} {...(capture ? { capture: 'environment' } : {})}
        aria-label={`${label}：${t(capture ? 'photos.camera' : 'photos.album')}`} disabled={busy || value.length >= MAX_PHOTOS}
        onChange={(e) => { void add(e.currentTarget.files); e.currentTarget.value = ''; }}
      />
    </label>
  );

  return (
    <div className="w-photos" role="group" aria-label={label}>
      <div className="w-thumbs">
        {value.map((p, i) => (
          <span key={p.id} className="w-thumb">
            <img src={p.url} alt={t('case.photo', { n: i + 1 })} />
            <button type="button" aria-label={t('photos.remove', { n: i + 1 })} onClick={() => remove(p)}>×</button>
          </span>
        ))}
      </div>
      <div className="w-pick-row">
        {input(true)}
        {input(false)}
        <span className="w-muted">{value.length}/{MAX_PHOTOS}</span>
      </div>
      {busy && <div className="w-muted" role="status">{t('photos.processing')}</div>}
      {error && <div className="w-error" role="alert">{error}</div>}
    </div>
  );
}
