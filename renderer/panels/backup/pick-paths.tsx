import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useBackup, useShell } from '../../app/stores';
import { isError } from './backup-store';

/**
 * "Choose folder…" / "Choose files…": the computer's own picker, in the desktop app only (a web page cannot read
 * paths on the host, so there the person types them). Hands the chosen paths to `onPicked`.
 */
export function PickPathsButtons({ kinds, onPicked }: { kinds: readonly ('folder' | 'files')[]; onPicked: (paths: string[]) => void }) {
  const { t } = useTranslation();
  const fetch = useBackup((s) => s.fetch);
  const desktop = useShell((s) => s.system.kind === 'ready' && s.system.info.host === 'desktop');
  const [problem, setProblem] = useState<string | undefined>();
  if (!desktop) return null;
  const pick = async (kind: 'folder' | 'files') => {
    const answer = await fetch('system.pickPaths', { kind, title: kind === 'folder' ? t('backup.pick.folderTitle') : t('backup.pick.filesTitle') });
    if (isError(answer)) return setProblem(answer.message);
    setProblem(undefined);
    if (answer.paths.length > 0) onPicked(answer.paths);
  };
  return (
    <div className="actions">
      {kinds.map((kind) => (
        <button key={kind} type="button" className="button" onClick={() => void pick(kind)}>
          {kind === 'folder' ? t('backup.pick.folder') : t('backup.pick.files')}
        </button>
      ))}
      {problem ? (
        <p className="field-error" role="alert">
          {problem}
        </p>
      ) : null}
    </div>
  );
}
