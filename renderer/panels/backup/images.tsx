import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BackupImage } from '../../../contract';
import { useBackup } from '../../app/stores';
import { isError } from './backup-store';

const cache = new Map<string, BackupImage>();
const CACHE_MAX = 600;

/** An image from the store (thumbnail or viewer size); undefined while it loads. */
export function useStoreImage(key: string | undefined, size: 'thumb' | 'view', part?: number): BackupImage | undefined {
  const fetch = useBackup((s) => s.fetch);
  const id = key ? `${key}|${part ?? ''}|${size}` : '';
  const [image, setImage] = useState<BackupImage | undefined>(() => cache.get(id));
  useEffect(() => {
    if (!key) return;
    const hit = cache.get(id);
    if (hit) return setImage(hit);
    setImage(undefined);
    let live = true;
    void fetch('backup.image', { key, size, ...(part !== undefined ? { part } : {}) }).then((r) => {
      const value: BackupImage = isError(r) ? { status: 'damaged', reason: r.message } : r;
      if (!isError(r)) {
        cache.set(id, value);
        if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value as string);
      }
      if (live) setImage(value);
    });
    return () => {
      live = false;
    };
  }, [id, key, size, part, fetch]);
  return image;
}

/** The picture, or a placeholder that says why there is none (video, undecodable, too large). */
export function StoreImage({ imageKey, size, part, alt, className }: { imageKey: string; size: 'thumb' | 'view'; part?: number; alt: string; className?: string }) {
  const { t } = useTranslation();
  const image = useStoreImage(imageKey, size, part);
  if (!image) return <div className={`bk-img-placeholder ${className ?? ''}`} role="img" aria-label={t('backup.photos.loading', { name: alt })} aria-busy="true" />;
  if (image.status === 'ok') return <img className={className} src={`data:${image.mime};base64,${image.data}`} alt={alt} width={image.width} height={image.height} />;
  return (
    <div className={`bk-img-placeholder bk-img-${image.status} ${className ?? ''}`} role="img" aria-label={t(`backup.photos.placeholder.${image.status}`, { name: alt })} title={image.reason}>
      <span aria-hidden="true">{image.status === 'video' ? '▶' : '?'}</span>
    </div>
  );
}
