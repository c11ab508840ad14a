import type { z } from 'zod';
import { LifelineError } from '../../contract';
import { accountMethods } from '../../contract/account';
import type { CallContext } from '../dispatcher';
import type { AccountServices } from '../services/account/account-services';
import type { RequestMeta } from '../services/account/security-log';
import type { ValidSession } from '../services/account/sessions';

type AccountMethods = typeof accountMethods;
export type AccountMethod = keyof AccountMethods;

/**
 * Same shape as `Pick<Handlers, AccountMethod>` once contract/index.ts spreads `accountMethods` into `methods`;
 * spelled out here so this file compiles on its own.
 */
export type AccountHandlers = {
  [M in AccountMethod]: (
    input: z.output<AccountMethods[M]['input']>,
    ctx: CallContext,
  ) => z.output<AccountMethods[M]['output']> | Promise<z.output<AccountMethods[M]['output']>>;
};

export interface AccountHandlerDeps {
  services: AccountServices;
}

const meta = (ctx: CallContext): RequestMeta => ({ ip: ctx.ip, userAgent: ctx.userAgent });

export function createAccountHandlers(deps: AccountHandlerDeps): AccountHandlers {
  const { accounts, recovery, delivery } = deps.services;

  /** `access: 'session'` methods: a live session or `not_signed_in` (and a stale token is dropped from the slot). */
  const requireSession = (ctx: CallContext): ValidSession => {
    const token = ctx.session.get();
    const session = accounts.session(token);
    if (!session) {
      if (token !== undefined) ctx.session.set(undefined);
      throw new LifelineError('not_signed_in', 'You are not signed in, or your session has ended. Sign in again.');
    }
    return session;
  };

  /** Drops the caller's session token when the account it belonged to just lost all its sessions. */
  const dropIfRevoked = (ctx: CallContext) => {
    const token = ctx.session.get();
    if (token !== undefined && !accounts.session(token)) ctx.session.set(undefined);
  };

  return {
    'account.signUp': async (input, ctx) => {
      const result = await accounts.signUp(input, meta(ctx));
      ctx.session.set(result.token);
      return { account: result.account, codesSentTo: result.codesSentTo, codesNotSent: result.codesNotSent, delivery: delivery.info() };
    },
    'account.resendVerification': async ({ channel }, ctx) => {
      const result = await accounts.resendVerification(requireSession(ctx), channel, meta(ctx));
      return { ...result, delivery: delivery.info() };
    },
    'account.verifyChannel': ({ channel, code }, ctx) => accounts.verifyChannel(requireSession(ctx), channel, code, meta(ctx)),
    'account.signInPicture': ({ variant }, ctx) => accounts.signInPicture(meta(ctx), variant),
    'account.signIn': async (input, ctx) => {
      const result = await accounts.signIn(input, meta(ctx));
      // Signing in while another session sits in this slot replaces it; the old one is ended, not left dangling.
      const previous = ctx.session.get();
      if (previous !== undefined) accounts.signOut(previous, meta(ctx));
      ctx.session.set(result.token);
      return { account: result.account, sessionExpiresAt: result.expiresAt };
    },
    'account.signOut': (_input, ctx) => {
      const signedOut = accounts.signOut(ctx.session.get(), meta(ctx));
      ctx.session.set(undefined);
      return { signedOut };
    },
    'account.me': (_input, ctx) => accounts.me(requireSession(ctx)),
    'account.sessions': (_input, ctx) => accounts.listSessions(requireSession(ctx)),
    'account.endSession': ({ sessionId }, ctx) => {
      const session = requireSession(ctx);
      const ended = accounts.endSession(session, sessionId, meta(ctx));
      if (ended && sessionId === session.sessionId) ctx.session.set(undefined);
      return { ended };
    },
    'account.changePassword': async (input, ctx) => {
      const otherSessionsEnded = await accounts.changePassword(requireSession(ctx), input, meta(ctx));
      return { changed: true as const, otherSessionsEnded };
    },
    'account.changeEmail': async ({ currentPassword, email }, ctx) => {
      const result = await accounts.changeEmail(requireSession(ctx), currentPassword, email, meta(ctx));
      return { ...result, delivery: delivery.info() };
    },
    'account.changePhone': async ({ currentPassword, phone }, ctx) => {
      const result = await accounts.changePhone(requireSession(ctx), currentPassword, phone, meta(ctx));
      return { ...result, delivery: delivery.info() };
    },
    'account.securityLog': ({ limit, beforeId }, ctx) => accounts.securityLog(requireSession(ctx), limit, beforeId),
    'account.passwordStrength': (input) => accounts.passwordStrength(input),

    'recovery.start': ({ identifier, language }, ctx) => recovery.start(identifier, language, meta(ctx)),
    'recovery.newPicture': ({ flowId, variant }, ctx) => recovery.newPicture(flowId, meta(ctx), variant),
    'recovery.submitPicture': ({ flowId, answer }, ctx) => recovery.submitPicture(flowId, answer, meta(ctx)),
    'recovery.resendCode': ({ flowId }, ctx) => recovery.resendCode(flowId, meta(ctx)),
    'recovery.switchChannel': ({ flowId, channel }, ctx) => recovery.switchChannel(flowId, channel, meta(ctx)),
    'recovery.verifyCode': ({ flowId, code }, ctx) => recovery.verifyCode(flowId, code, meta(ctx)),
    'recovery.setPassword': async ({ flowId, grant, password, confirmPassword }, ctx) => {
      const result = await recovery.setPassword(flowId, grant, password, confirmPassword, meta(ctx));
      // Recovery never signs in, and a session of the recovered account in this slot was just ended.
      dropIfRevoked(ctx);
      return { state: result.state, sessionsEnded: result.sessionsEnded, deviceHoldUntil: result.deviceHoldUntil };
    },
    'recovery.status': ({ flowId }) => recovery.status(flowId),
    'recovery.lookupPicture': ({ variant }, ctx) => recovery.lookupPicture(meta(ctx), variant),
    'recovery.lookupAccount': async ({ identifier, pictureId, answer, language }, ctx) => {
      const sentTo = await recovery.lookupAccount(identifier, pictureId, answer, language, meta(ctx));
      return { sentTo, delivery: delivery.info() };
    },
  };
}
