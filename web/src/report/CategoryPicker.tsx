/** Choosing a category: a searchable list (name, English name, keywords), grouped. */
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, CheckList, Popup, SearchBar } from 'antd-mobile';

export interface Field { code: string; type: string; required: boolean; name: { zh: string; en: string }; values?: { key: string; name: { zh: string; en: string } }[] }
export interface Category { code: string; name: string; nameEn: string; groupName: string; groupNameEn: string; keywords: string[]; urgent: boolean; fields: Field[] }

export function CategoryPicker({ categories, value, onChange }: { categories: Category[]; value: Category | null; onChange: (c: Category) => void }) {
  const { t, i18n } = useTranslation();
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const en = i18n.language === 'en';
  const shown = useMemo(() => {
    const s = q.trim().toLowerCase();
    return s ? categories.filter((c) => c.name.includes(s) || c.nameEn.toLowerCase().includes(s) || c.keywords.some((k) => k.includes(s) || s.includes(k))) : categories;
  }, [q, categories]);
  return (
    <>
      <Button block onClick={() => setOpen(true)} aria-haspopup="dialog" aria-label={t('f.category')}>
        {value ? (en ? value.nameEn : value.name) : t('f.pick')}
      </Button>
      <Popup visible={open} onMaskClick={() => setOpen(false)} bodyStyle={{ height: '70vh', overflowY: 'auto' }}>
        <div style={{ padding: 12, position: 'sticky', top: 0, background: '#fff', zIndex: 1 }}>
          <SearchBar placeholder={t('f.searchCategory')} value={q} onChange={setQ} aria-label={t('f.searchCategory')} />
        </div>
        <CheckList value={value ? [value.code] : []} onChange={(v) => {
          const c = categories.find((x) => x.code === v[0]);
          if (c) { onChange(c); setOpen(false); }
        }}>
          {shown.map((c) => (
            <CheckList.Item key={c.code} value={c.code} description={en ? c.groupNameEn : c.groupName}>
              {en ? c.nameEn : c.name}{c.urgent ? ' ⚠' : ''}
            </CheckList.Item>
          ))}
        </CheckList>
      </Popup>
    </>
  );
}
