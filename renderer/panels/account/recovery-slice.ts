import type { StateCreator } from 'zustand/vanilla';
import type { Channel, CodeSentAnswer, ErrorBody, Picture, PictureVariant } from '../../../contract';
import type { LifelineClient } from '../../api/client';
import type { AccountState } from './account-store';
import { cooldownEnd, pictureFromDetails, RESEND_COOLDOWN_MS, toError, type AccountError, type AccountStoreDeps } from './store-helpers';

/** The recovery screens in order; `expired` is where any step lands when the flow ended ("start again"). */
export type RecoveryStep = 'intro' | 'identifier' | 'picture' | 'code' | 'password' | 'done' | 'expired';

export interface RecoveryView {
  step: RecoveryStep;
  busy: boolean;
  error: AccountError | undefined;
  flowId: string | undefined;
  picture: Picture | undefined;
  pictureVariant: PictureVariant;
  /** The last code-sent answer: where the code went, the channels to switch to, sends left. */
  sent: CodeSentAnswer | undefined;
  /** Local clock time (ms) when "Resend code" may be used again. */
  resendAt: number;
  /** Set after a resend or channel switch, so the screen can say a new code is on its way. */
  resent: boolean;
  grant: string | undefined;
  result: { sessionsEnded: number } | undefined;
}

export interface RecoverySlice {
  recovery: RecoveryView;
  /** "Forgot password?" was chosen: the screen that lists what is needed comes first. */
  recoveryOpened(): void;
  recoveryStartChosen(): void;
  identifierSubmitted(identifier: string, language: 'en' | 'id'): Promise<void>;
  newPictureChosen(variant?: PictureVariant): Promise<void>;
  pictureAnswerSubmitted(answer: string): Promise<void>;
  codeSubmitted(code: string): Promise<void>;
  resendChosen(): Promise<void>;
  channelChosen(channel: Channel): Promise<void>;
  newPasswordSubmitted(password: string, confirmPassword: string): Promise<void>;
  recoveryRestartChosen(): void;
}

const blankRecovery: RecoveryView = {
  step: 'intro',
  busy: false,
  error: undefined,
  flowId: undefined,
  picture: undefined,
  pictureVariant: 'standard',
  sent: undefined,
  resendAt: 0,
  resent: false,
  grant: undefined,
  result: undefined,
};

/** A failure that means this flow is over: expired, ended after too many codes, or a reset that no longer works. */
function endsFlow(error: ErrorBody): boolean {
  return error.code === 'expired' || error.code === 'forbidden' || error.details?.flowEnded === true;
}

export function createRecoverySlice(client: LifelineClient, deps: AccountStoreDeps): StateCreator<AccountState, [], [], RecoverySlice> {
  return (set, get) => {
    const patch = (change: Partial<RecoveryView>) => set({ recovery: { ...get().recovery, ...change } });
    const fail = (error: ErrorBody, change: Partial<RecoveryView> = {}) => {
      if (endsFlow(error)) patch({ step: 'expired', busy: false, error: toError(error), grant: undefined });
      else patch({ busy: false, error: toError(error), ...change });
    };
    const codeSent = (answer: CodeSentAnswer, resent: boolean) => {
      patch({ step: 'code', busy: false, error: undefined, sent: answer, resent, resendAt: deps.now() + RESEND_COOLDOWN_MS });
    };

    return {
      recovery: { ...blankRecovery },
      recoveryOpened: () => set({ recovery: { ...blankRecovery }, strength: undefined }),
      recoveryStartChosen: () => patch({ step: 'identifier', error: undefined }),
      identifierSubmitted: async (identifier, language) => {
        patch({ busy: true, error: undefined });
        const result = await client.call('recovery.start', { identifier, language });
        if (!result.ok) return fail(result.error);
        patch({ step: 'picture', busy: false, flowId: result.value.flowId, picture: result.value.picture, pictureVariant: 'standard' });
      },
      newPictureChosen: async (variant) => {
        const { flowId, pictureVariant } = get().recovery;
        if (!flowId) return;
        const chosen = variant ?? pictureVariant;
        patch({ busy: true, error: undefined });
        const result = await client.call('recovery.newPicture', { flowId, variant: chosen });
        if (!result.ok) return fail(result.error);
        patch({ busy: false, picture: result.value, pictureVariant: chosen });
      },
      pictureAnswerSubmitted: async (answer) => {
        const { flowId, pictureVariant } = get().recovery;
        if (!flowId) return;
        patch({ busy: true, error: undefined });
        const result = await client.call('recovery.submitPicture', { flowId, answer });
        if (result.ok) return codeSent(result.value, false);
        const fresh = pictureFromDetails(result.error.details);
        fail(result.error, fresh ? { picture: fresh } : {});
        // The new picture after a wrong answer is the standard kind; keep the clearer one for those who chose it.
        if (fresh && fresh.variant !== pictureVariant) await refreshPictureKeepingError(pictureVariant);
      },
      codeSubmitted: async (code) => {
        const { flowId } = get().recovery;
        if (!flowId) return;
        patch({ busy: true, error: undefined });
        const result = await client.call('recovery.verifyCode', { flowId, code });
        if (!result.ok) return fail(result.error);
        patch({ step: 'password', busy: false, grant: result.value.grant, resent: false });
        set({ strength: undefined });
      },
      resendChosen: async () => {
        const { flowId } = get().recovery;
        if (!flowId) return;
        patch({ busy: true, error: undefined });
        const result = await client.call('recovery.resendCode', { flowId });
        if (result.ok) return codeSent(result.value, true);
        fail(result.error, result.error.code === 'rate_limited' ? { resendAt: cooldownEnd(deps.now(), result.error.details, RESEND_COOLDOWN_MS) } : {});
      },
      channelChosen: async (channel) => {
        const { flowId } = get().recovery;
        if (!flowId) return;
        patch({ busy: true, error: undefined });
        const result = await client.call('recovery.switchChannel', { flowId, channel });
        if (result.ok) return codeSent(result.value, true);
        fail(result.error, result.error.code === 'rate_limited' ? { resendAt: cooldownEnd(deps.now(), result.error.details, RESEND_COOLDOWN_MS) } : {});
      },
      newPasswordSubmitted: async (password, confirmPassword) => {
        const { flowId, grant } = get().recovery;
        if (!flowId || !grant) return;
        patch({ busy: true, error: undefined });
        const result = await client.call('recovery.setPassword', { flowId, grant, password, confirmPassword });
        if (!result.ok) return fail(result.error);
        patch({ step: 'done', busy: false, grant: undefined, result: { sessionsEnded: result.value.sessionsEnded } });
        set({ strength: undefined });
        // Recovery ends every session, this window's included.
        deps.signedInHint.set(false);
        if (get().account) set({ account: undefined });
      },
      recoveryRestartChosen: () => set({ recovery: { ...blankRecovery, step: 'identifier' }, strength: undefined }),
    };

    async function refreshPictureKeepingError(variant: PictureVariant): Promise<void> {
      const { flowId, error } = get().recovery;
      if (!flowId) return;
      const result = await client.call('recovery.newPicture', { flowId, variant });
      if (result.ok) patch({ picture: result.value, error });
    }
  };
}
