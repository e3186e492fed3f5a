/**
 * The forms of the worker's actions on a case (签收, 退回, 申请延期, 处置反馈). Submitting puts the
 * action and its photos in the device queue first; the sync engine sends them when it can.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Form, Popup, TextArea } from 'antd-mobile';
import { useFormat } from './hooks.js';
import { PhotoPicker, type DraftPhoto } from './PhotoPicker.js';
import { sync } from './sync.js';
import type { ActionOp, LocalPhoto } from './store.js';
import type { EventView, WorkAction } from './types.js';

interface Values { note?: string; until?: string }

/** A datetime-local value ("2026-05-01T18:00") read as Beijing time, as ISO. */
export function beijingIso(local: string): string {
  return new Date(`${local}:00+08:00`).toISOString();
}

export function ActionForm({ uid, view, action, evidenceRequired, onClose }: {
  uid: number; view: EventView; action: WorkAction; evidenceRequired: boolean; onClose: (queued: boolean) => void;
}) {
  const { t } = useTranslation();
  const { time } = useFormat();
  const [form] = Form.useForm<Values>();
  const [photos, setPhotos] = useState<DraftPhoto[]>([]);
  const [photoError, setPhotoError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const noteLabel = action === 'return' ? t('action.return.note') : action === 'request_extension' ? t('action.extension.note') : t('action.handled.note');

  async function submit(v: Values) {
    if (action === 'report_handled' && evidenceRequired && !photos.length) {
      setPhotoError(t('action.photos.required'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const now = Date.now();
      const local: LocalPhoto[] = photos.map((p) => ({ id: p.id, userId: uid, bytes: p.bytes, mime: 'image/jpeg', createdAt: now }));
      const op: ActionOp = {
        kind: 'action', userId: uid, createdAt: now, eventId: view.id, action, version: view.version, state: 'pending', attempts: 0,
        photoIds: local.map((p) => p.id), title: `#${view.id} ${view.category.name}`,
        ...(v.note?.trim() ? { note: v.note.trim() } : {}),
        ...(v.until ? { until: beijingIso(v.until) } : {}),
      };
      await sync.add(op, local);
      onClose(true);
    } catch (e) {
      setError(t('action.saveFailed', { msg: e instanceof Error ? e.message : String(e) }));
    } finally {
      setBusy(false);
    }
  }

  const dueMs = view.deadline.dueAt ? Date.parse(view.deadline.dueAt) : 0;
  return (
    <Popup visible onMaskClick={() => onClose(false)} onClose={() => onClose(false)} position="bottom" bodyClassName="w-sheet" destroyOnClose>
      <div role="dialog" aria-modal="true" aria-labelledby="action-title">
        <h2 id="action-title">{t(`action.${action}`)} · #{view.id}</h2>
        {action === 'sign' && <p>{t('action.sign.confirm')}</p>}
        <Form
          name="action" form={form} layout="vertical" initialValues={{ note: '', until: '' }} onFinish={(v) => void submit(v)}
          footer={(
            <div className="w-row">
              <Button block onClick={() => onClose(false)}>{t('common.cancel')}</Button>
              <Button block type="submit" color="primary" loading={busy}>{action === 'sign' ? t('action.sign') : t('common.submit')}</Button>
            </div>
          )}
        >
          {action !== 'sign' && (
            <Form.Item
              name="note" label={noteLabel} help={action === 'return' ? t('action.return.help') : undefined}
              rules={[{ required: true, whitespace: true, message: t('action.note.required', { what: noteLabel }) }, { max: 2000 }]}
            >
              <TextArea rows={3} maxLength={2000} showCount autoSize={{ minRows: 3, maxRows: 8 }} />
            </Form.Item>
          )}
          {action === 'request_extension' && (
            <Form.Item
              name="until" label={t('action.extension.until')}
              rules={[
                { required: true, message: t('action.until.required') },
                {
                  validator: async (_r, value?: string) => {
                    if (value && Date.parse(beijingIso(value)) <= Math.max(Date.now(), dueMs)) throw new Error(t('action.until.future', { due: time(view.deadline.dueAt ?? Date.now()) }));
                  },
                },
              ]}
            >
              <input type="datetime-local" className="w-input" />
            </Form.Item>
          )}
          {action === 'report_handled' && (
            <Form.Item label={`${t('action.handled.photos')}${evidenceRequired ? ' *' : ''}`}>
              <PhotoPicker value={photos} onChange={(p) => { setPhotos(p); setPhotoError(null); }} label={t('action.handled.photos')} />
              {photoError && <div className="w-error" role="alert">{photoError}</div>}
            </Form.Item>
          )}
        </Form>
        {error && <div className="w-error" role="alert">{error}</div>}
      </div>
    </Popup>
  );
}
