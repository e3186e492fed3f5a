/**
 * One action on a case, with its form: a reason, an instruction, the dispatch target, the case
 * to merge into. Sends `{version, …}`; a field the server refuses is shown at the field, a
 * conflict (409: the case changed, or its state no longer allows this) goes back to the drawer.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, DatePicker, Form, Input, InputNumber, Modal, Radio, Select, Space, Tag, TreeSelect } from 'antd';
import type { Dayjs } from 'dayjs';
import { ApiError } from '../shared/api.js';
import { actOn, orgChildren, orgUnit } from './client.js';
import { graft } from './FilterBar.js';
import type { ConsoleAction, EventDetail, EventView, OrgUnit } from './types.js';
import { errText, fmtTime } from './util.js';

const REASON: ConsoleAction[] = ['reject', 'escalate', 'suspend', 'verify_fail', 'deny_extension'];

interface Values {
  note?: string;
  target?: 'handler' | 'grid' | 'village' | 'tree';
  treeUnit?: string;
  person?: number;
  dueAt?: Dayjs | null;
  into?: number;
}

interface Props {
  action: ConsoleAction;
  detail: EventDetail;
  scope: OrgUnit;
  mergeInto?: number;
  onCancel: () => void;
  onDone: (e: EventView) => void;
  onConflict: (message: string) => void;
}

const FIELDS: Record<string, keyof Values> = { note: 'note', assignee: 'treeUnit', dueAt: 'dueAt', into: 'into' };

export function ActionModal({ action, detail, scope, mergeInto, onCancel, onDone, onConflict }: Props) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = t(`action.${action}`);

  async function submit(v: Values) {
    setBusy(true);
    setError(null);
    const body: Record<string, unknown> = { version: detail.version };
    if (v.note?.trim()) body.note = v.note.trim();
    if (action === 'dispatch') {
      if (v.person) body.assignee = { userId: v.person };
      else {
        const code = v.target === 'handler' ? detail.handler?.code : v.target === 'grid' ? detail.area.grid : v.target === 'village' ? detail.area.village : v.treeUnit;
        if (code) body.assignee = { unitCode: code };
      }
      if (v.dueAt) body.dueAt = v.dueAt.toISOString();
    }
    if (action === 'merge') body.into = v.into;
    try {
      onDone(await actOn(detail.id, action, body));
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) return onConflict(e.say(i18n.language));
      const field = e instanceof ApiError && e.field ? FIELDS[e.field] : undefined;
      if (field && !(action === 'dispatch' && field === 'treeUnit' && form.getFieldValue('target') !== 'tree')) {
        form.setFields([{ name: field, errors: [errText(e, i18n.language)] }]);
      } else {
        setError(errText(e, i18n.language));
      }
    } finally {
      setBusy(false);
    }
  }

  const initial: Values = action === 'dispatch'
    ? { target: detail.handler ? 'handler' : detail.area.grid ? 'grid' : 'tree' }
    : action === 'merge' ? { into: mergeInto ?? detail.duplicates[0]?.id } : {};

  return (
    <Modal
      open title={`${name} · #${detail.id}`} okText={t('form.confirm', { action: name })} cancelText={t('common.cancel')}
      onOk={() => form.submit()} onCancel={onCancel} confirmLoading={busy} destroyOnHidden mask={{ closable: false }}
      okButtonProps={{ danger: ['reject', 'verify_fail', 'deny_extension'].includes(action) }}
      width={action === 'dispatch' ? 620 : 520}
    >
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" initialValues={initial} onFinish={submit} aria-label={name}>
        {action === 'dispatch' && <DispatchFields detail={detail} scope={scope} />}
        {action === 'merge' && <MergeFields detail={detail} />}
        {(action === 'grant_extension' || action === 'deny_extension') && detail.extensionRequest && (
          <Alert type="info" style={{ marginBottom: 12 }} title={t('form.extension', { until: fmtTime(detail.extensionRequest.until, i18n.language), reason: detail.extensionRequest.reason })} />
        )}
        <NoteField action={action} />
      </Form>
    </Modal>
  );
}

function NoteField({ action }: { action: ConsoleAction }) {
  const { t } = useTranslation();
  const reason = REASON.includes(action);
  const instruction = action === 'supervise';
  const label = reason ? t('form.reason') : instruction ? t('form.instruction') : action === 'verify_pass' ? t('form.verifyPassNote') : t('form.note');
  return (
    <Form.Item
      label={label} name="note"
      rules={reason || instruction ? [{ required: true, whitespace: true, message: reason ? t('form.reasonRequired') : t('form.instructionRequired') }] : [{ max: 2000 }]}
    >
      <Input.TextArea rows={3} maxLength={2000} showCount autoFocus={action !== 'dispatch' && action !== 'merge'} />
    </Form.Item>
  );
}

function MergeFields({ detail }: { detail: EventDetail }) {
  const { t } = useTranslation();
  const form = Form.useFormInstance<Values>();
  return (
    <>
      {detail.duplicates.length > 0 && (
        <Form.Item label={t('form.pickDuplicate')}>
          <Radio.Group
            onChange={(e) => form.setFieldsValue({ into: e.target.value as number })}
            value={Form.useWatch('into', form)}
            options={detail.duplicates.map((d) => ({ value: d.id, label: `#${d.id} · ${t(`status.${d.status}`)} · ${t('case.distance', { m: d.distanceM })}` }))}
          />
        </Form.Item>
      )}
      <Form.Item
        label={t('form.into')} name="into"
        rules={[{ required: true, message: t('form.intoRequired') }, { validator: (_, v) => (v === detail.id ? Promise.reject(new Error(t('form.intoSelf'))) : Promise.resolve()) }]}
      >
        <InputNumber min={1} precision={0} style={{ width: 200 }} prefix="#" autoFocus />
      </Form.Item>
    </>
  );
}

interface TreeNode { value: string; key: string; title: string; isLeaf?: boolean; selectable?: boolean; children?: TreeNode[] }

/** Where a unit of the org tree may be dispatched to: a grid, a village, a platform, a department. */
const dispatchable = (u: OrgUnit) => u.kind === 'platform' || u.kind === 'department' || (u.kind === 'area' && (u.level === 'grid' || u.level === 'village'));
const unitNode = (u: OrgUnit, en: boolean): TreeNode => ({
  value: u.code, key: u.code, title: (en && u.nameEn) || u.name, selectable: dispatchable(u),
  isLeaf: u.kind !== 'area' || u.level === 'grid',
});

function DispatchFields({ detail, scope }: { detail: EventDetail; scope: OrgUnit }) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const form = Form.useFormInstance<Values>();
  const target = Form.useWatch('target', form);
  const person = Form.useWatch('person', form);
  const [village, setVillage] = useState<string | null>(null);
  const [tree, setTree] = useState<TreeNode[]>([]);

  useEffect(() => {
    if (detail.area.village) orgUnit(detail.area.village).then((u) => setVillage((en && u.nameEn) || u.name), () => setVillage(null));
  }, [detail.area.village, en]);
  useEffect(() => {
    // the scope's own units (a village center dispatches within its village)
    orgChildren(scope.code).then((kids) => setTree(kids.filter((u) => u.kind !== 'center').map((u) => unitNode(u, en))), () => setTree([]));
  }, [scope.code, en]);
  const load = async (node: { value?: unknown }) => {
    const code = String(node.value);
    const kids = await orgChildren(code).catch(() => []);
    setTree((tr) => graft(tr, code, kids.filter((u) => u.kind !== 'center').map((u) => unitNode(u, en))) as TreeNode[]);
  };

  // people known on this case (the current assignee, earlier dispatches to a person): a directory of staff is not open to operators
  const people = new Map<number, string>();
  if (detail.assignee.user) people.set(detail.assignee.user.id, detail.assignee.user.name);
  for (const s of detail.timeline) {
    const id = (s.details?.assignee as { userId?: number | null } | undefined)?.userId;
    if (s.action === 'dispatch' && id && !people.has(id)) people.set(id, s.assignee ?? `#${id}`);
  }

  const gridName = detail.area.grid ? detail.area.name : null;
  return (
    <>
      <Form.Item label={t('form.target')} name="target" extra={t('form.targetHint')} rules={[{ required: !person, message: t('form.targetRequired') }]}>
        <Radio.Group disabled={!!person} className="console-targets">
          <Space orientation="vertical">
            {detail.handler && (
              <Radio value="handler">
                {detail.handler.name} <span className="console-muted">· {t('form.defaultHandler')}</span> <Tag color="blue">{t('form.suggested')}</Tag>
              </Radio>
            )}
            {detail.area.grid && <Radio value="grid">{gridName} <span className="console-muted">· {t('form.caseGrid')}</span></Radio>}
            {detail.area.village && <Radio value="village">{village ?? detail.area.village} <span className="console-muted">· {t('form.caseVillage')}</span></Radio>}
            <Radio value="tree">{t('form.tree')}</Radio>
          </Space>
        </Radio.Group>
      </Form.Item>
      {target === 'tree' && !person && (
        <Form.Item label={t('form.tree')} name="treeUnit" rules={[{ required: true, message: t('form.targetRequired') }]}>
          <TreeSelect
            aria-label={t('form.tree')} treeData={tree} loadData={load} placeholder={t('form.treePlaceholder')}
            showSearch={{ treeNodeFilterProp: 'title' }} style={{ width: '100%' }} autoFocus
          />
        </Form.Item>
      )}
      {people.size > 0 && (
        <Form.Item label={t('form.person')} name="person" extra={t('form.personHint')}>
          <Select allowClear placeholder={t('form.personNone')} aria-label={t('form.person')} options={[...people].map(([id, n]) => ({ value: id, label: n }))} />
        </Form.Item>
      )}
      <Form.Item label={t('form.dueAt')} name="dueAt">
        <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" aria-label={t('form.dueAt')} disabledDate={(d) => d.endOf('day').valueOf() < Date.now()} />
      </Form.Item>
    </>
  );
}
