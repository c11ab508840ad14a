import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';

export interface PageAnswer<T> {
  items: T[];
  total: number;
}

const PAGE = 100;

/**
 * A virtualized list over a paged source: only the rows on screen are in the DOM, and only the pages they fall
 * in are asked for, so a conversation of 500,000 messages scrolls without loading it.
 * `resetKey` changes when the source changes (another snapshot, thread or filter).
 */
export function PagedList<T>({
  label,
  resetKey,
  fetchPage,
  renderRow,
  rowHeight,
  placeholder,
  empty,
  startAtEnd = false,
  onTotal,
}: {
  label: string;
  resetKey: string;
  fetchPage: (offset: number, limit: number) => Promise<PageAnswer<T> | undefined>;
  renderRow: (item: T, index: number) => ReactNode;
  rowHeight: number;
  placeholder: string;
  empty: ReactNode;
  startAtEnd?: boolean;
  onTotal?: (total: number) => void;
}) {
  const parent = useRef<HTMLDivElement>(null);
  const [total, setTotal] = useState<number | undefined>(undefined);
  const [rows, setRows] = useState<Map<number, T>>(new Map());
  const pages = useRef(new Set<number>());
  const generation = useRef(0);

  const load = useCallback(
    async (page: number) => {
      if (pages.current.has(page)) return;
      pages.current.add(page);
      const gen = generation.current;
      const answer = await fetchPage(page * PAGE, PAGE);
      if (gen !== generation.current) return;
      if (!answer) {
        pages.current.delete(page);
        return;
      }
      setTotal(answer.total);
      setRows((prev) => {
        const next = new Map(prev);
        answer.items.forEach((item, i) => next.set(page * PAGE + i, item));
        return next;
      });
    },
    [fetchPage],
  );

  useEffect(() => {
    generation.current++;
    pages.current = new Set();
    setRows(new Map());
    setTotal(undefined);
    const gen = generation.current;
    void (async () => {
      const first = await fetchPage(0, PAGE);
      if (gen !== generation.current || !first) return;
      pages.current.add(0);
      setTotal(first.total);
      setRows(new Map(first.items.map((item, i) => [i, item])));
      if (startAtEnd && first.total > PAGE) void load(Math.floor((first.total - 1) / PAGE));
    })();
    // fetchPage/load change with resetKey; the key is what decides a reload.
  }, [resetKey]);

  useEffect(() => {
    if (total !== undefined) onTotal?.(total);
  }, [total, onTotal]);

  const virtualizer = useVirtualizer({
    count: total ?? 0,
    getScrollElement: () => parent.current,
    estimateSize: () => rowHeight,
    overscan: 8,
    initialRect: { width: 600, height: 480 },
  });
  const items = virtualizer.getVirtualItems();

  useEffect(() => {
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    for (let p = Math.floor(first.index / PAGE); p <= Math.floor(last.index / PAGE); p++) void load(p);
  }, [items, load]);

  const scrolledToEnd = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (startAtEnd && total && scrolledToEnd.current !== resetKey) {
      scrolledToEnd.current = resetKey;
      virtualizer.scrollToIndex(total - 1, { align: 'end' });
    }
  }, [startAtEnd, total, resetKey, virtualizer]);

  if (total === 0) return <div className="bk-empty">{empty}</div>;
  return (
    <div ref={parent} className="bk-scroll" role="list" aria-label={label} aria-busy={total === undefined}>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
        {items.map((v) => {
          const item = rows.get(v.index);
          return (
            <div
              key={v.key}
              role="listitem"
              aria-setsize={total}
              aria-posinset={v.index + 1}
              data-index={v.index}
              ref={virtualizer.measureElement}
              className="bk-row"
              style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${v.start}px)` }}
            >
              {item === undefined ? <span className="muted">{placeholder}</span> : renderRow(item, v.index)}
            </div>
          );
        })}
      </div>
    </div>
  );
}
