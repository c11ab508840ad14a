import { createStore, type StateCreator, type StoreApi } from 'zustand/vanilla';
import type { AccountSummary, Channel, ErrorBody, MaskedChannel, PasswordStrength, Picture, PictureVariant, SecurityEvent, SessionInfo } from '../../../contract';
import type { LifelineClient } from '../../api/client';
import { createRecoverySlice, type RecoverySlice } from './recovery-slice';
import { cooldownEnd, pictureFromDetails, RESEND_COOLDOWN_MS, sessionGone, storageHint, toError, type AccountError, type AccountStoreDeps } from './store-helpers';

export type { AccountError, AccountStoreDeps } from './store-helpers';

/**
 * Which screen of the account panel is showing. Signed out: sign in, create an account, recover a password or
 * find an account. Signed in: the account overview, or the welcome screen right after sign-up.
 */
export type AccountScreen = 'loading' | 'signIn' | 'signUp' | 'welcome' | 'overview' | 'recovery' | 'findAccount';

/** Where the person's password is being typed; the meter shows only the answer for the form that asked. */
export type StrengthForm = 'signUp' | 'recovery' | 'change';

export interface StrengthSlice {
  strength: { form: StrengthForm; password: string; result: PasswordStrength } | undefined;
  passwordTyped(form: StrengthForm, password: string, context?: { email?: string; phone?: string }): Promise<void>;
}

export interface VerifyState {
  masked: string;
  busy: boolean;
  error: AccountError | undefined;
  /** A code was sent (or resent) and not yet verified; `notSent` when the last attempt to send failed. */
  status: 'sent' | 'notSent' | 'verified';
  /** Local clock time (ms) when "Resend code" becomes available. */
  resendAt: number;
}

export interface SessionSlice {
  screen: AccountScreen;
  account: AccountSummary | undefined;
  accountOpened(): Promise<void>;
  signInChosen(): void;
  createAccountChosen(): void;
  forgotPasswordChosen(): void;
  findAccountChosen(): void;
  backChosen(): void;

  signIn: { busy: boolean; error: AccountError | undefined; picture: Picture | undefined };
  signInSubmitted(input: { account: string; password: string; keepSignedIn: boolean; pictureAnswer?: string }): Promise<boolean>;
  signInPictureRequested(variant?: PictureVariant): Promise<void>;

  signUp: { busy: boolean; error: AccountError | undefined };
  signUpSubmitted(input: { email: string; phone: string; password: string; confirmPassword: string; language: 'en' | 'id' }): Promise<void>;
  /** Per channel, after sign-up or a change of email or phone. */
  verify: Partial<Record<Channel, VerifyState>>;
  verificationCodeSubmitted(channel: Channel, code: string): Promise<void>;
  verificationResendChosen(channel: Channel): Promise<void>;
  welcomeDone(): void;

  signOutChosen(): Promise<void>;
  /** The session ended elsewhere (revoked, expired): back to sign-in with a word why. */
  signedOutNotice: boolean;
}

export interface OverviewSlice {
  sessions: { items: SessionInfo[]; loading: boolean; error: AccountError | undefined };
  securityLog: { items: SecurityEvent[]; loading: boolean; error: AccountError | undefined; more: boolean };
  overviewOpened(): Promise<void>;
  sessionEndChosen(sessionId: string): Promise<void>;
  securityLogMoreChosen(): Promise<void>;
  /** Which change form is open; one at a time keeps the screen calm. */
  change: { form: 'password' | 'email' | 'phone' | undefined; busy: boolean; error: AccountError | undefined; done: string | undefined };
  changeFormChosen(form: 'password' | 'email' | 'phone' | undefined): void;
  passwordChangeSubmitted(input: { currentPassword: string; newPassword: string; confirmPassword: string }): Promise<boolean>;
  emailChangeSubmitted(input: { currentPassword: string; email: string }): Promise<boolean>;
  phoneChangeSubmitted(input: { currentPassword: string; phone: string }): Promise<boolean>;
}

export interface LookupSlice {
  lookup: {
    busy: boolean;
    error: AccountError | undefined;
    picture: Picture | undefined;
    sentTo: MaskedChannel | undefined;
  };
  lookupOpened(variant?: PictureVariant): Promise<void>;
  lookupSubmitted(input: { identifier: string; answer: string; language: 'en' | 'id' }): Promise<void>;
  lookupRestartChosen(): Promise<void>;
}

export type AccountState = SessionSlice & OverviewSlice & StrengthSlice & LookupSlice & RecoverySlice;
export type AccountStore = StoreApi<AccountState>;

const LOG_PAGE = 50;

const blankSignIn = { busy: false, error: undefined, picture: undefined } as const;
const blankLookup = { busy: false, error: undefined, picture: undefined, sentTo: undefined } as const;
const blankChange = { form: undefined, busy: false, error: undefined, done: undefined } as const;

function createStrengthSlice(client: LifelineClient): StateCreator<AccountState, [], [], StrengthSlice> {
  let latest = 0;
  return (set) => ({
    strength: undefined,
    passwordTyped: async (form, password, context = {}) => {
      const ticket = ++latest;
      if (password === '') {
        set({ strength: undefined });
        return;
      }
      const input: { password: string; email?: string; phone?: string } = { password };
      if (context.email) input.email = context.email;
      if (context.phone) input.phone = context.phone;
      const result = await client.call('account.passwordStrength', input);
      // Typing is faster than the answers: only the newest one may reach the meter.
      if (ticket !== latest || !result.ok) return;
      set({ strength: { form, password, result: result.value } });
    },
  });
}

function createSessionSlice(client: LifelineClient, deps: AccountStoreDeps): StateCreator<AccountState, [], [], SessionSlice> {
  return (set, get) => {
    let failedSignIns = 0;
    const signedIn = (account: AccountSummary) => {
      failedSignIns = 0;
      deps.signedInHint.set(true);
      set({ account, signedOutNotice: false, signIn: { ...blankSignIn } });
    };
    const verifyFrom = (sent: MaskedChannel[], notSent: MaskedChannel[]): Partial<Record<Channel, VerifyState>> => {
      const verify: Partial<Record<Channel, VerifyState>> = {};
      const resendAt = deps.now() + RESEND_COOLDOWN_MS;
      for (const c of sent) verify[c.channel] = { masked: c.masked, busy: false, error: undefined, status: 'sent', resendAt };
      for (const c of notSent) verify[c.channel] = { masked: c.masked, busy: false, error: undefined, status: 'notSent', resendAt: deps.now() };
      return verify;
    };
    const patchVerify = (channel: Channel, patch: Partial<VerifyState>) => {
      const current = get().verify[channel];
      if (current) set({ verify: { ...get().verify, [channel]: { ...current, ...patch } } });
    };
    /** A session call found no session: it ended elsewhere (revoked, expired). */
    const lostSession = () => {
      deps.signedInHint.set(false);
      set({ account: undefined, screen: 'signIn', signedOutNotice: true, verify: {}, change: { ...blankChange } });
    };

    return {
      screen: 'loading',
      account: undefined,
      signedOutNotice: false,
      accountOpened: async () => {
        if (!deps.signedInHint.get() && !get().account) {
          if (get().screen === 'loading') set({ screen: 'signIn' });
          return;
        }
        const result = await client.call('account.me', {});
        const screen = get().screen;
        if (result.ok) {
          set({ account: result.value });
          if (screen === 'loading' || screen === 'signIn') set({ screen: 'overview' });
        } else {
          if (sessionGone(result.error.code)) deps.signedInHint.set(false);
          set({ account: undefined });
          if (screen === 'loading' || screen === 'overview' || screen === 'welcome') set({ screen: 'signIn' });
        }
      },
      signInChosen: () => set({ screen: 'signIn' }),
      createAccountChosen: () => set({ screen: 'signUp', signUp: { busy: false, error: undefined }, strength: undefined }),
      forgotPasswordChosen: () => {
        set({ screen: 'recovery' });
        get().recoveryOpened();
      },
      findAccountChosen: () => {
        set({ screen: 'findAccount', lookup: { ...blankLookup } });
        void get().lookupOpened();
      },
      backChosen: () => set({ screen: get().account ? 'overview' : 'signIn', strength: undefined }),

      signIn: { ...blankSignIn },
      signInSubmitted: async ({ account, password, keepSignedIn, pictureAnswer }) => {
        const picture = get().signIn.picture;
        set({ signIn: { ...get().signIn, busy: true, error: undefined } });
        const input: { account: string; password: string; keepSignedIn: boolean; pictureId?: string; pictureAnswer?: string } = { account, password, keepSignedIn };
        if (picture) {
          input.pictureId = picture.pictureId;
          input.pictureAnswer = pictureAnswer ?? '';
        }
        const result = await client.call('account.signIn', input);
        if (result.ok) {
          signedIn(result.value.account);
          set({ screen: 'overview' });
          return true;
        }
        // Over HTTP a wrong password (401) reaches us as `unauthorized` without its message or details.
        const error = result.error.code === 'unauthorized' ? { code: 'invalid_credentials', message: '' } : toError(result.error);
        if (error.code === 'invalid_credentials' || error.code === 'invalid_code') failedSignIns++;
        set({ signIn: { busy: false, error, picture: undefined } });
        // After 3 failures the service wants a picture code (it ignores one it does not need); a used picture is spent either way.
        if (result.error.details?.pictureRequired === true || picture || failedSignIns >= 3) await get().signInPictureRequested();
        return false;
      },
      signInPictureRequested: async (variant) => {
        const result = await client.call('account.signInPicture', variant ? { variant } : {});
        if (result.ok) set({ signIn: { ...get().signIn, picture: result.value } });
        else set({ signIn: { ...get().signIn, error: toError(result.error) } });
      },

      signUp: { busy: false, error: undefined },
      signUpSubmitted: async ({ email, phone, password, confirmPassword, language }) => {
        set({ signUp: { busy: true, error: undefined } });
        const input: { email?: string; phone?: string; password: string; confirmPassword: string; language: 'en' | 'id' } = { password, confirmPassword, language };
        if (email.trim()) input.email = email.trim();
        if (phone.trim()) input.phone = phone.trim();
        const result = await client.call('account.signUp', input);
        if (!result.ok) {
          set({ signUp: { busy: false, error: toError(result.error) } });
          return;
        }
        signedIn(result.value.account);
        set({ signUp: { busy: false, error: undefined }, screen: 'welcome', strength: undefined, verify: verifyFrom(result.value.codesSentTo, result.value.codesNotSent) });
      },
      verify: {},
      verificationCodeSubmitted: async (channel, code) => {
        patchVerify(channel, { busy: true, error: undefined });
        const result = await client.call('account.verifyChannel', { channel, code });
        if (result.ok) {
          set({ account: result.value });
          patchVerify(channel, { busy: false, status: 'verified' });
          return;
        }
        if (sessionGone(result.error.code)) return lostSession();
        patchVerify(channel, { busy: false, error: toError(result.error) });
      },
      verificationResendChosen: async (channel) => {
        if (!get().verify[channel]) {
          // "Confirm now" from the overview: the code box appears with the account's own address until the answer masks it.
          const account = get().account;
          const masked = (channel === 'email' ? account?.email : account?.phone) ?? '';
          set({ verify: { ...get().verify, [channel]: { masked, busy: false, error: undefined, status: 'notSent', resendAt: 0 } } });
        }
        patchVerify(channel, { busy: true, error: undefined });
        const result = await client.call('account.resendVerification', { channel });
        if (result.ok) {
          patchVerify(channel, { busy: false, status: 'sent', masked: result.value.sentTo.masked, resendAt: deps.now() + RESEND_COOLDOWN_MS });
          return;
        }
        if (sessionGone(result.error.code)) return lostSession();
        const patch: Partial<VerifyState> = { busy: false, error: toError(result.error) };
        if (result.error.code === 'rate_limited') patch.resendAt = cooldownEnd(deps.now(), result.error.details, RESEND_COOLDOWN_MS);
        patchVerify(channel, patch);
      },
      welcomeDone: () => {
        // Confirmed channels show as such in the overview; only unfinished code boxes stay open.
        const open = Object.fromEntries(Object.entries(get().verify).filter(([, v]) => v.status !== 'verified'));
        set({ screen: 'overview', verify: open });
        void get().overviewOpened();
      },

      signOutChosen: async () => {
        await client.call('account.signOut', {});
        // Signed out locally whatever the answer: a session the host no longer knows is no session.
        deps.signedInHint.set(false);
        set({ account: undefined, screen: 'signIn', verify: {}, change: { ...blankChange }, signIn: { ...blankSignIn }, signedOutNotice: false });
      },
    };
  };
}

function createOverviewSlice(client: LifelineClient, deps: AccountStoreDeps): StateCreator<AccountState, [], [], OverviewSlice> {
  return (set, get) => {
    const lostSession = (error: ErrorBody): boolean => {
      if (!sessionGone(error.code)) return false;
      deps.signedInHint.set(false);
      set({ account: undefined, screen: 'signIn', signedOutNotice: true, verify: {}, change: { ...blankChange } });
      return true;
    };
    const loadSessions = async () => {
      set({ sessions: { ...get().sessions, loading: true, error: undefined } });
      const result = await client.call('account.sessions', {});
      if (result.ok) set({ sessions: { items: result.value, loading: false, error: undefined } });
      else if (!lostSession(result.error)) set({ sessions: { ...get().sessions, loading: false, error: toError(result.error) } });
    };
    const loadLog = async (beforeId?: number) => {
      set({ securityLog: { ...get().securityLog, loading: true, error: undefined } });
      const result = await client.call('account.securityLog', beforeId === undefined ? { limit: LOG_PAGE } : { limit: LOG_PAGE, beforeId });
      if (result.ok) {
        const items = beforeId === undefined ? result.value : [...get().securityLog.items, ...result.value];
        set({ securityLog: { items, loading: false, error: undefined, more: result.value.length === LOG_PAGE } });
      } else if (!lostSession(result.error)) set({ securityLog: { ...get().securityLog, loading: false, error: toError(result.error) } });
    };
    /** After a change of email or phone, the new channel gets a code to verify right here. */
    const channelChanged = (channel: Channel, account: AccountSummary, sentTo: MaskedChannel) => {
      set({
        account,
        verify: { ...get().verify, [channel]: { masked: sentTo.masked, busy: false, error: undefined, status: 'sent', resendAt: deps.now() + RESEND_COOLDOWN_MS } },
      });
    };
    const runChange = async (done: string, call: () => Promise<{ ok: true } | { ok: false; error: ErrorBody }>): Promise<boolean> => {
      set({ change: { ...get().change, busy: true, error: undefined, done: undefined } });
      const result = await call();
      if (result.ok) {
        set({ change: { form: undefined, busy: false, error: undefined, done }, strength: undefined });
        void loadSessions();
        void loadLog();
        return true;
      }
      // A wrong current password is a 401, which reaches us over HTTP as `unauthorized`: not a lost session here.
      if (result.error.code === 'unauthorized' || result.error.code === 'invalid_credentials') {
        set({ change: { ...get().change, busy: false, error: { code: 'current_password', message: result.error.code === 'unauthorized' ? '' : result.error.message } } });
      } else if (!lostSession(result.error)) set({ change: { ...get().change, busy: false, error: toError(result.error) } });
      return false;
    };

    return {
      sessions: { items: [], loading: false, error: undefined },
      securityLog: { items: [], loading: false, error: undefined, more: false },
      overviewOpened: async () => {
        await Promise.all([loadSessions(), loadLog()]);
      },
      sessionEndChosen: async (sessionId) => {
        const current = get().sessions.items.find((s) => s.sessionId === sessionId)?.current ?? false;
        const result = await client.call('account.endSession', { sessionId });
        if (!result.ok) {
          if (!lostSession(result.error)) set({ sessions: { ...get().sessions, error: toError(result.error) } });
          return;
        }
        if (current) {
          deps.signedInHint.set(false);
          set({ account: undefined, screen: 'signIn', verify: {}, change: { ...blankChange } });
          return;
        }
        await Promise.all([loadSessions(), loadLog()]);
      },
      securityLogMoreChosen: async () => {
        const last = get().securityLog.items.at(-1);
        if (last) await loadLog(last.id);
      },
      change: { ...blankChange },
      changeFormChosen: (form) => set({ change: { form, busy: false, error: undefined, done: undefined }, strength: undefined }),
      passwordChangeSubmitted: (input) =>
        runChange('password', async () => {
          const result = await client.call('account.changePassword', input);
          return result.ok ? { ok: true } : result;
        }),
      emailChangeSubmitted: (input) =>
        runChange('email', async () => {
          const result = await client.call('account.changeEmail', input);
          if (!result.ok) return result;
          channelChanged('email', result.value.account, result.value.codeSentTo);
          return { ok: true };
        }),
      phoneChangeSubmitted: (input) =>
        runChange('phone', async () => {
          const result = await client.call('account.changePhone', input);
          if (!result.ok) return result;
          channelChanged('sms', result.value.account, result.value.codeSentTo);
          return { ok: true };
        }),
    };
  };
}

function createLookupSlice(client: LifelineClient): StateCreator<AccountState, [], [], LookupSlice> {
  return (set, get) => ({
    lookup: { ...blankLookup },
    lookupOpened: async (variant) => {
      const result = await client.call('recovery.lookupPicture', variant ? { variant } : {});
      if (result.ok) set({ lookup: { ...get().lookup, picture: result.value } });
      else set({ lookup: { ...get().lookup, error: toError(result.error) } });
    },
    lookupSubmitted: async ({ identifier, answer, language }) => {
      const picture = get().lookup.picture;
      if (!picture) return;
      set({ lookup: { ...get().lookup, busy: true, error: undefined } });
      const result = await client.call('recovery.lookupAccount', { identifier, pictureId: picture.pictureId, answer, language });
      if (result.ok) {
        set({ lookup: { busy: false, error: undefined, picture: undefined, sentTo: result.value.sentTo } });
        return;
      }
      const fresh = pictureFromDetails(result.error.details);
      set({ lookup: { ...get().lookup, busy: false, error: toError(result.error), picture: fresh ?? picture } });
      // Any answer spends the picture; without a new one in the details, ask for one.
      if (!fresh && result.error.code !== 'invalid_input') await get().lookupOpened();
    },
    lookupRestartChosen: async () => {
      set({ lookup: { ...blankLookup } });
      await get().lookupOpened();
    },
  });
}

/** The account panel: sign-in and sign-up, the signed-in overview, password recovery and the forgotten-account lookup. */
export function createAccountStore(client: LifelineClient, deps: AccountStoreDeps = { now: () => Date.now(), signedInHint: storageHint() }): AccountStore {
  return createStore<AccountState>()((...args) => ({
    ...createSessionSlice(client, deps)(...args),
    ...createOverviewSlice(client, deps)(...args),
    ...createStrengthSlice(client)(...args),
    ...createLookupSlice(client)(...args),
    ...createRecoverySlice(client, deps)(...args),
  }));
}
