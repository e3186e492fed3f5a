/** The newest case changes first, with the state of the connection. */
import { useTranslation } from 'react-i18next';
import type { FeedItem, FeedState } from './feed.js';
import { ACTIONS, STATUSES, nameOf } from './i18n.js';
import { clock } from './format.js';

export function LiveFeed({ items, state }: { items: FeedItem[]; state: FeedState }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  return (
    <>
      <p className={`feed-state ${state}`} role="status">
        <span className="dot" aria-hidden="true" />
        {t(state === 'live' ? 'feed.live' : state === 'lost' ? 'feed.lost' : 'feed.connecting')}
      </p>
      {items.length === 0 ? <p className="empty">{t('feed.empty')}</p> : (
        <ol className="feed" aria-live="polite" aria-label={t('feed.title')}>
          {items.map(({ change: c, brief }) => (
            <li key={c.id} className={`feed-item a-${c.action}`} data-event={c.eventId}>
              <time dateTime={c.at}>{clock(c.at)}</time>
              <span className="feed-what">
                <b>#{c.eventId}</b> {nameOf(ACTIONS, c.action, lang)}
                {brief && <> · {lang === 'en' ? brief.category.nameEn : brief.category.name} · {brief.area.name}</>}
              </span>
              <span className="feed-to">{nameOf(STATUSES, c.to, lang)}</span>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
