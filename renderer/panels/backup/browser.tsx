import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BackupCatalogItem, BackupItemDetail, BackupThread, BrowseKind } from '../../../contract';
import { TextField } from '../../components/field';
import { Icon } from '../../components/icons';
import { useBackup } from '../../app/stores';
import { isError, type BackupError, type BrowseTab } from './backup-store';
import { StoreImage } from './images';
import { PagedList } from './paged-list';
import { ErrorNotice, Tabs, formatBytes, formatCount, formatDate, useDebounced } from './parts';

const BROWSE_TABS: readonly BrowseKind[] = ['messages', 'contacts', 'calls', 'media', 'notes'];

export function SnapshotBrowserView() {
  const { t, i18n } = useTranslation();
  const browsing = useBackup((s) => s.browsing);
  const browseTabChosen = useBackup((s) => s.browseTabChosen);
  const browsingClosed = useBackup((s) => s.browsingClosed);
  const [query, setQuery] = useState('');
  if (!browsing) return null;
  const { overview } = browsing;
  const snapshot = overview?.snapshot.id ?? browsing.snapshot;
  return (
    <div className="bk-browser">
      <div className="bk-browser-head">
        <button type="button" className="button" onClick={browsingClosed}>
          <Icon name="arrowLeft" size={18} />
          {t('backup.browse.back')}
        </button>
        {overview ? (
          <h2>{t('backup.browse.title', { device: overview.snapshot.device, date: formatDate(overview.snapshot.time, i18n.language) })}</h2>
        ) : (
          <h2 aria-busy="true">{t('backup.browse.opening')}</h2>
        )}
      </div>
      <ErrorNotice error={browsing.error} />
      {overview ? (
        <>
          <div className="bk-search">
            <TextField label={t('backup.search.label')} hint={t('backup.search.hint')} type="search" value={query} onValueChange={setQuery} spellCheck={false} wide />
          </div>
          {query.trim() ? (
            <SearchResults snapshot={snapshot} query={query} />
          ) : (
            <>
              <Tabs
                label={t('backup.browse.kindsLabel')}
                tabs={BROWSE_TABS.map((k) => ({ id: k as BrowseTab, label: `${t(`backup.browse.tabs.${k}`)} (${formatCount(overview.counts[k] ?? 0, i18n.language)})` }))}
                value={browsing.tab === 'search' ? 'messages' : browsing.tab}
                onChange={browseTabChosen}
              />
              <div role="tabpanel" className="bk-tabpanel">
                {browsing.tab === 'contacts' ? <ContactsView snapshot={snapshot} /> : null}
                {browsing.tab === 'messages' || browsing.tab === 'search' ? <MessagesView snapshot={snapshot} /> : null}
                {browsing.tab === 'calls' ? <CallsView snapshot={snapshot} /> : null}
                {browsing.tab === 'media' ? <PhotosView snapshot={snapshot} total={overview.counts.media ?? 0} /> : null}
                {browsing.tab === 'notes' ? <NotesView snapshot={snapshot} /> : null}
              </div>
            </>
          )}
        </>
      ) : null}
    </div>
  );
}

function useItemDetail(key: string | undefined): { detail: BackupItemDetail | undefined; error: BackupError | undefined } {
  const fetch = useBackup((s) => s.fetch);
  const [state, setState] = useState<{ key?: string; detail?: BackupItemDetail; error?: BackupError }>({});
  useEffect(() => {
    if (!key) return;
    let live = true;
    void fetch('backup.item', { key }).then((r) => {
      if (live) setState(isError(r) ? { key, error: r } : { key, detail: r });
    });
    return () => {
      live = false;
    };
  }, [key, fetch]);
  return state.key === key ? { detail: state.detail, error: state.error } : { detail: undefined, error: undefined };
}

function SearchResults({ snapshot, query }: { snapshot: string; query: string }) {
  const { t, i18n } = useTranslation();
  const fetch = useBackup((s) => s.fetch);
  const q = useDebounced(query.trim(), 120);
  const [answer, setAnswer] = useState<{ q: string; items: BackupCatalogItem[]; more: boolean } | BackupError | undefined>();
  const [open, setOpen] = useState<string | undefined>();
  useEffect(() => {
    if (!q) return;
    let live = true;
    void fetch('backup.search', { snapshot, query: q, limit: 50 }).then((r) => {
      if (live) setAnswer(isError(r) ? r : { q, ...r });
    });
    return () => {
      live = false;
    };
  }, [q, snapshot, fetch]);
  if (isError(answer)) return <ErrorNotice error={answer} />;
  const results = answer && answer.q === q ? answer : undefined;
  return (
    <div className="bk-split">
      <section aria-label={t('backup.search.results')} aria-busy={!results}>
        {results ? (
          <p role="status" className="muted">
            {results.items.length === 0 ? t('backup.search.none', { query: q }) : results.more ? t('backup.search.many', { count: results.items.length }) : t('backup.search.count', { count: results.items.length })}
          </p>
        ) : null}
        <ul className="bk-results">
          {results?.items.map((item) => (
            <li key={item.key}>
              <button type="button" className={open === item.key ? 'bk-result bk-selected' : 'bk-result'} onClick={() => setOpen(item.key)}>
                <span className="bk-badge">{t(`backup.kinds.${item.kind}`)}</span>
                <span className="bk-result-title">{item.name ?? item.address ?? item.relPath ?? ''}</span>
                {item.preview ? <span className="bk-result-text">{item.preview}</span> : null}
                {item.date ? <span className="muted">{formatDate(item.date, i18n.language)}</span> : null}
              </button>
            </li>
          ))}
        </ul>
      </section>
      {open ? <DetailPane itemKey={open} /> : null}
    </div>
  );
}

function Field({ label, value }: { label: string; value: string | number | undefined | null }) {
  if (value === undefined || value === null || value === '') return null;
  return (
    <div className="bk-field">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** Everything about one item; pictures come as thumbnails, the rest as text. */
export function DetailPane({ itemKey }: { itemKey: string }) {
  const { t, i18n } = useTranslation();
  const { detail, error } = useItemDetail(itemKey);
  if (error) return <ErrorNotice error={error} />;
  if (!detail) return <div className="bk-detail" aria-busy="true" />;
  const f = detail.fields;
  const lang = i18n.language;
  const title = detail.item.name ?? detail.item.address ?? detail.item.relPath ?? '';
  return (
    <section className="bk-detail" aria-label={t('backup.detail.label', { name: title })}>
      <h3>{title}</h3>
      {detail.kind === 'contact' ? (
        <>
          {detail.photo ? <StoreImage imageKey={itemKey} size="view" alt={t('backup.detail.photoOf', { name: title })} className="bk-contact-photo" /> : null}
          <dl className="bk-fields">
            <Field label={t('backup.detail.phones')} value={(f.phones as { value: string; type?: string }[] | undefined)?.map((p) => (p.type ? `${p.value} (${p.type})` : p.value)).join(', ')} />
            <Field label={t('backup.detail.emails')} value={(f.emails as { value: string }[] | undefined)?.map((e) => e.value).join(', ')} />
            <Field label={t('backup.detail.organization')} value={str(f.organization)} />
            <Field label={t('backup.detail.birthday')} value={str(f.birthday)} />
            <Field label={t('backup.detail.note')} value={str(f.note)} />
            <Field label={t('backup.detail.uid')} value={str(f.uid)} />
          </dl>
          <details>
            <summary>{t('backup.detail.vcard')}</summary>
            <pre className="bk-pre">{detail.vcard}</pre>
          </details>
        </>
      ) : null}
      {detail.kind === 'sms' || detail.kind === 'call' || detail.kind === 'mms' ? (
        <dl className="bk-fields">
          <Field label={t('backup.detail.address')} value={detail.item.address} />
          <Field label={t('backup.detail.date')} value={formatDate(detail.item.date, lang)} />
          <Field label={t('backup.detail.body')} value={str(f.body)} />
          <Field label={t('backup.detail.duration')} value={detail.kind === 'call' ? t('backup.calls.seconds', { count: Number(f.duration ?? 0) }) : undefined} />
        </dl>
      ) : null}
      {detail.kind === 'mms' ? <MmsParts itemKey={itemKey} detail={detail} /> : null}
      {detail.kind === 'note' ? <pre className="bk-pre bk-note">{detail.text}</pre> : null}
      {detail.kind === 'media' ? (
        <>
          <StoreImage imageKey={itemKey} size="view" alt={title} className="bk-viewer-img" />
          <dl className="bk-fields">
            <Field label={t('backup.detail.path')} value={str(f.path)} />
            <Field label={t('backup.detail.size')} value={formatBytes(Number(f.size ?? 0), lang)} />
            <Field label={t('backup.detail.date')} value={formatDate(detail.item.date, lang)} />
          </dl>
        </>
      ) : null}
    </section>
  );
}

function MmsParts({ itemKey, detail }: { itemKey: string; detail: BackupItemDetail }) {
  const { t } = useTranslation();
  return (
    <div className="bk-mms">
      {(detail.parts ?? []).map((p) =>
        p.image ? (
          <StoreImage key={p.index} imageKey={itemKey} part={p.index} size="thumb" alt={p.name ?? t('backup.messages.picture')} className="bk-mms-img" />
        ) : p.text && !/smil/i.test(p.contentType) ? (
          <p key={p.index}>{p.text}</p>
        ) : null,
      )}
    </div>
  );
}

function FilterField({ value, onChange, label }: { value: string; onChange: (v: string) => void; label: string }) {
  return <TextField label={label} type="search" value={value} onValueChange={onChange} spellCheck={false} />;
}

function usePageFetcher<T>(load: (offset: number, limit: number) => Promise<{ items: T[]; total: number } | BackupError>, onError: (e: BackupError) => void) {
  return useCallback(
    async (offset: number, limit: number) => {
      const r = await load(offset, limit);
      if (isError(r)) {
        onError(r);
        return undefined;
      }
      return r;
    },
    // The loader closes over what identifies the list; the list's resetKey decides reloads.
    [load],
  );
}

function ContactsView({ snapshot }: { snapshot: string }) {
  const { t } = useTranslation();
  const fetch = useBackup((s) => s.fetch);
  const [filter, setFilter] = useState('');
  const q = useDebounced(filter.trim(), 150);
  const [open, setOpen] = useState<string | undefined>();
  const [error, setError] = useState<BackupError | undefined>();
  const load = useCallback((offset: number, limit: number) => fetch('backup.list', { snapshot, kind: 'contacts', ...(q ? { query: q } : {}), offset, limit }), [fetch, snapshot, q]);
  const fetchPage = usePageFetcher(load, setError);
  return (
    <div className="bk-split">
      <div>
        <FilterField label={t('backup.contacts.filter')} value={filter} onChange={setFilter} />
        <ErrorNotice error={error} />
        <PagedList<BackupCatalogItem>
          label={t('backup.contacts.list')}
          resetKey={`${snapshot}|${q}`}
          fetchPage={fetchPage}
          rowHeight={52}
          placeholder={t('backup.loadingRow')}
          empty={q ? t('backup.contacts.noMatch') : t('backup.contacts.empty')}
          renderRow={(c) => (
            <button type="button" className={open === c.key ? 'bk-item bk-selected' : 'bk-item'} onClick={() => setOpen(c.key)}>
              <span className="bk-item-title">{c.name}</span>
              <span className="muted truncate">{c.address}</span>
            </button>
          )}
        />
      </div>
      {open ? <DetailPane itemKey={open} /> : <p className="muted bk-detail">{t('backup.contacts.pick')}</p>}
    </div>
  );
}

export function MessagesView({ snapshot }: { snapshot: string }) {
  const { t, i18n } = useTranslation();
  const fetch = useBackup((s) => s.fetch);
  const [filter, setFilter] = useState('');
  const q = useDebounced(filter.trim(), 150);
  const [thread, setThread] = useState<BackupThread | undefined>();
  const [error, setError] = useState<BackupError | undefined>();
  const loadThreads = useCallback((offset: number, limit: number) => fetch('backup.threads', { snapshot, ...(q ? { query: q } : {}), offset, limit }), [fetch, snapshot, q]);
  const fetchThreads = usePageFetcher(loadThreads, setError);
  const lang = i18n.language;
  return (
    <div className="bk-split bk-messages">
      <div>
        <FilterField label={t('backup.messages.filter')} value={filter} onChange={setFilter} />
        <ErrorNotice error={error} />
        <PagedList<BackupThread>
          label={t('backup.messages.threads')}
          resetKey={`${snapshot}|${q}`}
          fetchPage={fetchThreads}
          rowHeight={64}
          placeholder={t('backup.loadingRow')}
          empty={q ? t('backup.messages.noMatch') : t('backup.messages.empty')}
          renderRow={(th) => (
            <button
              type="button"
              className={thread?.thread === th.thread ? 'bk-item bk-selected' : 'bk-item'}
              aria-label={t('backup.messages.threadLabel', { name: th.name ?? th.address ?? th.thread, count: th.count })}
              onClick={() => setThread(th)}
            >
              <span className="bk-item-title">
                {th.name ?? th.address ?? th.thread}
                <span className="muted bk-right">{formatDate(th.lastDate, lang, false)}</span>
              </span>
              <span className="muted truncate">{th.lastPreview}</span>
            </button>
          )}
        />
      </div>
      {thread ? <Conversation snapshot={snapshot} thread={thread} /> : <p className="muted bk-detail">{t('backup.messages.pick')}</p>}
    </div>
  );
}

function Conversation({ snapshot, thread }: { snapshot: string; thread: BackupThread }) {
  const { t, i18n } = useTranslation();
  const fetch = useBackup((s) => s.fetch);
  const [error, setError] = useState<BackupError | undefined>();
  const load = useCallback((offset: number, limit: number) => fetch('backup.conversation', { snapshot, thread: thread.thread, offset, limit }), [fetch, snapshot, thread.thread]);
  const fetchPage = usePageFetcher(load, setError);
  return (
    <section className="bk-conversation" aria-label={t('backup.messages.conversation', { name: thread.name ?? thread.address ?? thread.thread })}>
      <h3>
        {thread.name ?? thread.address ?? thread.thread} <span className="muted">{t('backup.messages.count', { count: thread.count })}</span>
      </h3>
      <ErrorNotice error={error} />
      <PagedList<BackupCatalogItem>
        label={t('backup.messages.messagesList')}
        resetKey={`${snapshot}|${thread.thread}`}
        fetchPage={fetchPage}
        rowHeight={58}
        startAtEnd
        placeholder={t('backup.loadingRow')}
        empty={t('backup.messages.emptyThread')}
        renderRow={(m) => <MessageBubble item={m} lang={i18n.language} />}
      />
    </section>
  );
}

function MessageBubble({ item, lang }: { item: BackupCatalogItem; lang: string }) {
  const { detail } = useItemDetail(item.kind === 'mms' ? item.key : undefined);
  const sent = detail ? Number(detail.fields.box) === 2 : false;
  return (
    <div className={sent ? 'bk-bubble bk-bubble-sent' : 'bk-bubble'}>
      {item.kind === 'mms' && detail ? <MmsParts itemKey={item.key} detail={detail} /> : <p>{item.preview}</p>}
      <span className="muted bk-bubble-date">{formatDate(item.date, lang)}</span>
    </div>
  );
}

function CallsView({ snapshot }: { snapshot: string }) {
  const { t, i18n } = useTranslation();
  const fetch = useBackup((s) => s.fetch);
  const [filter, setFilter] = useState('');
  const q = useDebounced(filter.trim(), 150);
  const [error, setError] = useState<BackupError | undefined>();
  const load = useCallback((offset: number, limit: number) => fetch('backup.list', { snapshot, kind: 'calls', ...(q ? { query: q } : {}), offset, limit }), [fetch, snapshot, q]);
  const fetchPage = usePageFetcher(load, setError);
  return (
    <div>
      <FilterField label={t('backup.calls.filter')} value={filter} onChange={setFilter} />
      <ErrorNotice error={error} />
      <PagedList<BackupCatalogItem>
        label={t('backup.calls.list')}
        resetKey={`${snapshot}|${q}`}
        fetchPage={fetchPage}
        rowHeight={44}
        placeholder={t('backup.loadingRow')}
        empty={q ? t('backup.calls.noMatch') : t('backup.calls.empty')}
        renderRow={(c) => (
          <div className="bk-item bk-call">
            <span className="bk-item-title">{c.name ?? c.address}</span>
            {c.name ? <span className="muted">{c.address}</span> : null}
            <span className="muted">{formatDate(c.date, i18n.language)}</span>
            <span className="muted">{t('backup.calls.seconds', { count: Number.parseInt(c.preview ?? '0', 10) || 0 })}</span>
          </div>
        )}
      />
    </div>
  );
}

function NotesView({ snapshot }: { snapshot: string }) {
  const { t, i18n } = useTranslation();
  const fetch = useBackup((s) => s.fetch);
  const [open, setOpen] = useState<string | undefined>();
  const [error, setError] = useState<BackupError | undefined>();
  const load = useCallback((offset: number, limit: number) => fetch('backup.list', { snapshot, kind: 'notes', offset, limit }), [fetch, snapshot]);
  const fetchPage = usePageFetcher(load, setError);
  return (
    <div className="bk-split">
      <div>
        <ErrorNotice error={error} />
        <PagedList<BackupCatalogItem>
          label={t('backup.notes.list')}
          resetKey={snapshot}
          fetchPage={fetchPage}
          rowHeight={52}
          placeholder={t('backup.loadingRow')}
          empty={t('backup.notes.empty')}
          renderRow={(n) => (
            <button type="button" className={open === n.key ? 'bk-item bk-selected' : 'bk-item'} onClick={() => setOpen(n.key)}>
              <span className="bk-item-title">{n.name ?? n.relPath}</span>
              <span className="muted truncate">
                {formatDate(n.date, i18n.language, false)} · {n.relPath}
              </span>
            </button>
          )}
        />
      </div>
      {open ? <DetailPane itemKey={open} /> : <p className="muted bk-detail">{t('backup.notes.pick')}</p>}
    </div>
  );
}

const COLUMNS = 6;
const PHOTO_PAGE = 120;

function monthLabel(ms: number | null, lang: string): string {
  return ms === null ? '' : new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'long' }).format(new Date(ms));
}

/** Photos newest first, six to a row, a month heading where a new month starts; rows are virtualized. */
export function PhotosView({ snapshot, total }: { snapshot: string; total: number }) {
  const { t, i18n } = useTranslation();
  const fetch = useBackup((s) => s.fetch);
  const parent = useRef<HTMLDivElement>(null);
  const [items, setItems] = useState<Map<number, BackupCatalogItem>>(new Map());
  const [error, setError] = useState<BackupError | undefined>();
  const [viewer, setViewer] = useState<number | undefined>();
  const pages = useRef(new Set<number>());
  useEffect(() => {
    pages.current = new Set();
    setItems(new Map());
  }, [snapshot]);
  const load = useCallback(
    async (page: number) => {
      if (pages.current.has(page)) return;
      pages.current.add(page);
      const r = await fetch('backup.list', { snapshot, kind: 'media', offset: page * PHOTO_PAGE, limit: PHOTO_PAGE });
      if (isError(r)) {
        pages.current.delete(page);
        return setError(r);
      }
      setItems((prev) => {
        const next = new Map(prev);
        r.items.forEach((it, i) => next.set(page * PHOTO_PAGE + i, it));
        return next;
      });
    },
    [fetch, snapshot],
  );
  useEffect(() => {
    if (viewer !== undefined) void load(Math.floor(viewer / PHOTO_PAGE));
  }, [viewer, load]);
  const rows = Math.ceil(total / COLUMNS);
  const virtualizer = useVirtualizer({ count: rows, getScrollElement: () => parent.current, estimateSize: () => 132, overscan: 3, initialRect: { width: 800, height: 520 } });
  const virtualRows = virtualizer.getVirtualItems();
  useEffect(() => {
    const first = virtualRows[0];
    const last = virtualRows[virtualRows.length - 1];
    if (!first || !last) return;
    for (let p = Math.floor((first.index * COLUMNS) / PHOTO_PAGE); p <= Math.floor((last.index * COLUMNS + COLUMNS - 1) / PHOTO_PAGE); p++) void load(p);
  }, [virtualRows, load]);
  if (total === 0) return <p className="bk-empty">{t('backup.photos.empty')}</p>;
  const lang = i18n.language;
  const open = viewer !== undefined ? items.get(viewer) : undefined;
  return (
    <div>
      <ErrorNotice error={error} />
      <div ref={parent} className="bk-scroll bk-grid-scroll" role="list" aria-label={t('backup.photos.grid')}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualRows.map((row) => {
            const cells = Array.from({ length: COLUMNS }, (_, c) => row.index * COLUMNS + c).filter((i) => i < total);
            const firstItem = items.get(row.index * COLUMNS);
            const before = row.index > 0 ? items.get(row.index * COLUMNS - 1) : undefined;
            const month = firstItem ? monthLabel(firstItem.date, lang) : '';
            const newMonth = firstItem && (row.index === 0 || (before && monthLabel(before.date, lang) !== month));
            return (
              <div key={row.key} data-index={row.index} ref={virtualizer.measureElement} className="bk-grid-row" style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${row.start}px)` }}>
                {newMonth ? <h4 className="bk-month">{month}</h4> : null}
                <div className="bk-grid">
                  {cells.map((i) => {
                    const it = items.get(i);
                    return (
                      <div key={i} role="listitem" className="bk-tile">
                        {it ? (
                          <button type="button" className="bk-tile-button" onClick={() => setViewer(i)} aria-label={t('backup.photos.open', { name: it.name ?? '' })}>
                            <StoreImage imageKey={it.key} size="thumb" alt={it.name ?? ''} className="bk-thumb" />
                          </button>
                        ) : (
                          <div className="bk-img-placeholder bk-thumb" aria-busy="true" />
                        )}
                      </div>
                    );
                  })}
                </div>
              </div>
            );
          })}
        </div>
      </div>
      {open && viewer !== undefined ? (
        <div
          className="bk-viewer"
          role="dialog"
          aria-modal="true"
          aria-label={t('backup.photos.viewer', { name: open.name ?? '' })}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setViewer(undefined);
            else if (e.key === 'ArrowRight') setViewer(Math.min(total - 1, viewer + 1));
            else if (e.key === 'ArrowLeft') setViewer(Math.max(0, viewer - 1));
          }}
        >
          <div className="bk-viewer-body">
            <StoreImage imageKey={open.key} size="view" alt={open.name ?? ''} className="bk-viewer-img" />
            <p>
              <strong>{open.name}</strong> · {formatDate(open.date, lang)} · {formatBytes(open.size, lang)}
            </p>
            <p className="muted">{open.relPath}</p>
            <div className="actions">
              <button type="button" className="button" disabled={viewer === 0} onClick={() => setViewer(Math.max(0, viewer - 1))}>
                {t('backup.photos.previous')}
              </button>
              <button type="button" className="button" disabled={viewer >= total - 1} onClick={() => setViewer(Math.min(total - 1, viewer + 1))}>
                {t('backup.photos.next')}
              </button>
              <button type="button" className="button button-primary" onClick={() => setViewer(undefined)} autoFocus>
                {t('backup.photos.close')}
              </button>
            </div>
          </div>
        </div>
      ) : null}
    </div>
  );
}
