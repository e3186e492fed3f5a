/**
 * The queue: one row per case with its deadline colour and countdown. A listbox: ↑ ↓ Home End
 * choose, Enter opens; a click opens too.
 */
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Tag } from 'antd';
import type { EventView } from './types.js';
import { countdown, deadlineColor, deadlineState, fmtTime } from './util.js';
import { useNow } from '../shared/time.js';

/** The border of a case whose clock has stopped (finished, suspended). */
const FINISHED = '#cbd5e1';

interface Props {
  items: EventView[];
  active: number;
  openId: number | null;
  onActive: (i: number) => void;
  onOpen: (id: number) => void;
  onEscape: () => void;
}

export function CaseList({ items, active, openId, onActive, onOpen, onEscape }: Props) {
  const { t, i18n } = useTranslation();
  const now = useNow(30_000);
  const box = useRef<HTMLDivElement>(null);
  const en = i18n.language === 'en';

  useEffect(() => {
    box.current?.querySelector(`[data-index="${active}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  function onKey(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key === 'Escape') return onEscape();
    if (!items.length) return;
    const go = (i: number) => { e.preventDefault(); onActive(Math.max(0, Math.min(items.length - 1, i))); };
    switch (e.key) {
      case 'ArrowDown': return go(active + 1);
      case 'ArrowUp': return go(active - 1);
      case 'Home': return go(0);
      case 'End': return go(items.length - 1);
      case 'PageDown': return go(active + 10);
      case 'PageUp': return go(active - 10);
      case 'Enter': case ' ':
        e.preventDefault();
        if (items[active]) onOpen(items[active].id);
    }
  }

  return (
    <div
      ref={box} role="listbox" tabIndex={0} aria-label={t('list.label')} className="console-list"
      aria-activedescendant={items[active] ? `case-row-${items[active].id}` : undefined} onKeyDown={onKey}
    >
      {items.map((e, i) => {
        const running = !!e.deadline.stage;
        const state = deadlineState(e.deadline, now);
        const color = running ? deadlineColor(state) : FINISHED;
        const left = countdown(e.deadline, now, t);
        return (
          <div
            key={e.id} id={`case-row-${e.id}`} role="option" aria-selected={i === active} data-index={i} data-id={e.id} data-deadline={running ? state : 'none'}
            className={`console-row${i === active ? ' is-active' : ''}${e.id === openId ? ' is-open' : ''}`}
            style={{ borderLeftColor: color }}
            onClick={() => { onActive(i); onOpen(e.id); }}
          >
            <div className="console-row-top">
              <span className="console-row-id">#{e.id}</span>
              <span className="console-row-cat">{en ? e.category.nameEn : e.category.name}</span>
              <Tag className="console-row-status">{t(`status.${e.status}`)}</Tag>
              {e.urgent && <Tag color="red">{t('list.urgent')}</Tag>}
              {e.supervised && <Tag color="volcano">{t('list.supervised')}</Tag>}
              {running && (
                <span className="console-row-deadline" style={{ color }} data-testid="deadline">
                  <span className="console-dot" style={{ background: color }} aria-hidden />
                  {t(`deadline.${state}`)}{left ? ` · ${left}` : ''}
                </span>
              )}
            </div>
            <div className="console-row-desc">{e.description}</div>
            <div className="console-row-meta">
              <span>{e.area.name}{e.address ? ` · ${e.address}` : ''}</span>
              <span>{t(`channel.${e.channel}`)} · {fmtTime(e.createdAt, i18n.language)}</span>
            </div>
          </div>
        );
      })}
    </div>
  );
}
