import { z } from 'zod';
import { defineMethod } from './define';

/**
 * Accounts, sessions, password recovery and forgotten-account lookup (see shared/RECOVERY.md).
 * The numbers (lengths, lifetimes, limits) are enforced by the service; the schemas only bound sizes
 * so that absurd inputs (10 KB identifiers, 1 MB passwords) are refused before any work is done.
 */

/** Bounds the raw text; the service applies the 8..128 code point rule after NFKC and says why. */
export const PasswordText = z.string().max(1024, 'A password can be at most 128 characters.');
/** Phone number, email or account ID as typed; normalized by the service. */
export const IdentifierText = z.string().min(1, 'Type a phone number, an email address or an account ID.').max(320, 'That is too long for a phone number, an email address or an account ID.');
/** Six digits; spaces, dashes and full-width digits are accepted and normalized by the service. */
export const CodeText = z.string().min(1).max(40);
export const Channel = z.enum(['email', 'sms']);
export type Channel = z.infer<typeof Channel>;
export const MessageLanguage = z.enum(['en', 'id']);
export type MessageLanguage = z.infer<typeof MessageLanguage>;
/** `clear` draws the same kind of picture larger, with high contrast and little noise, for people who find the standard one hard to read. */
export const PictureVariant = z.enum(['standard', 'clear']);
export type PictureVariant = z.infer<typeof PictureVariant>;

export const Picture = z.object({
  pictureId: z.string(),
  /** `data:image/png;base64,...`; drawn on the server. */
  image: z.string(),
  /** Names the task for screen readers. */
  alt: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  variant: PictureVariant,
  expiresAt: z.number().int(),
});
export type Picture = z.infer<typeof Picture>;

export const AccountSummary = z.object({
  accountId: z.string(),
  email: z.string().optional(),
  emailVerified: z.boolean(),
  phone: z.string().optional(),
  phoneVerified: z.boolean(),
  language: MessageLanguage,
  createdAt: z.number().int(),
  passwordChangedAt: z.number().int(),
});
export type AccountSummary = z.infer<typeof AccountSummary>;

export const SessionInfo = z.object({
  sessionId: z.string(),
  current: z.boolean(),
  createdAt: z.number().int(),
  lastSeenAt: z.number().int(),
  expiresAt: z.number().int(),
  keepSignedIn: z.boolean(),
  ip: z.string(),
  userAgent: z.string(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const SecurityEvent = z.object({
  id: z.number().int(),
  at: z.number().int(),
  event: z.string(),
  ip: z.string(),
  userAgent: z.string(),
  /** A short, secret-free note (e.g. the masked channel a code went to). */
  detail: z.string().optional(),
});
export type SecurityEvent = z.infer<typeof SecurityEvent>;

export const DeliveryInfo = z.object({
  /** True when messages go to the local outbox folder instead of a real mailbox or phone. */
  sandbox: z.boolean(),
  outboxDir: z.string().optional(),
});

export const PasswordStrength = z.object({
  /** 0 (very weak) .. 4 (strong), from zxcvbn-ts; it guides, the policy decides. */
  score: z.number().int().min(0).max(4),
  warning: z.string().optional(),
  suggestions: z.array(z.string()),
  /** Whether the policy would accept this password, and why not. */
  acceptable: z.boolean(),
  problem: z.string().optional(),
});
export type PasswordStrength = z.infer<typeof PasswordStrength>;

export const RecoveryState = z.enum(['awaiting_identifier', 'awaiting_captcha', 'code_sent', 'code_verified', 'password_set']);
export type RecoveryState = z.infer<typeof RecoveryState>;

export const MaskedChannel = z.object({ channel: Channel, masked: z.string() });
export type MaskedChannel = z.infer<typeof MaskedChannel>;

export const CodeSentAnswer = z.object({
  flowId: z.string(),
  state: RecoveryState,
  /** "If an account matches, we sent a code to ..." - the same whether or not one does. */
  sentTo: MaskedChannel,
  /** The channels the person may switch to ("Not working? Use email instead"), masked. */
  channels: z.array(MaskedChannel),
  codeExpiresAt: z.number().int(),
  resendAvailableAt: z.number().int(),
  sendsLeft: z.number().int(),
  expiresAt: z.number().int(),
  delivery: DeliveryInfo,
});
export type CodeSentAnswer = z.infer<typeof CodeSentAnswer>;

const empty = z.object({}).strict();
const flowRef = { flowId: z.string().min(1).max(100) };

export const accountMethods = {
  'account.signUp': defineMethod({
    summary: 'Creates an account from an email and/or phone number and a password, signs it in and sends a 6-digit code to each channel to verify it.',
    input: z
      .object({
        email: z.string().max(320).optional(),
        phone: z.string().max(64).optional(),
        password: PasswordText,
        confirmPassword: PasswordText,
        language: MessageLanguage.optional(),
      })
      .strict(),
    output: z.object({
      account: AccountSummary,
      codesSentTo: z.array(MaskedChannel),
      /** Channels whose code could not be sent ("We could not send the code..."); ask again with account.resendVerification. */
      codesNotSent: z.array(MaskedChannel),
      delivery: DeliveryInfo,
    }),
  }),
  'account.resendVerification': defineMethod({
    summary: 'Sends a new verification code to one of the signed-in account\'s unverified channels (60 s apart, at most 5 an hour).',
    access: 'session',
    input: z.object({ channel: Channel }).strict(),
    output: z.object({ sentTo: MaskedChannel, resendAvailableAt: z.number().int(), delivery: DeliveryInfo }),
  }),
  'account.verifyChannel': defineMethod({
    summary: 'Marks the signed-in account\'s email or phone as verified with the 6-digit code sent to it.',
    access: 'session',
    input: z.object({ channel: Channel, code: CodeText }).strict(),
    output: AccountSummary,
  }),
  'account.signInPicture': defineMethod({
    summary: 'A picture code for signing in, needed after 3 failed attempts.',
    input: z.object({ variant: PictureVariant.optional() }).strict(),
    output: Picture,
  }),
  'account.signIn': defineMethod({
    summary: 'Signs in with an email, phone number or account ID and the password; one generic answer for every failure.',
    input: z
      .object({
        account: IdentifierText,
        password: PasswordText,
        keepSignedIn: z.boolean().optional(),
        pictureId: z.string().max(100).optional(),
        pictureAnswer: z.string().max(40).optional(),
      })
      .strict(),
    output: z.object({ account: AccountSummary, sessionExpiresAt: z.number().int() }),
  }),
  'account.signOut': defineMethod({
    summary: 'Ends the current session at once (does nothing when not signed in).',
    input: empty,
    output: z.object({ signedOut: z.boolean() }),
  }),
  'account.me': defineMethod({
    summary: 'The signed-in account: ID, channels (with verified flags) and dates.',
    access: 'session',
    input: empty,
    output: AccountSummary,
  }),
  'account.sessions': defineMethod({
    summary: 'The signed-in account\'s open sessions, newest first, the current one marked.',
    access: 'session',
    input: empty,
    output: z.array(SessionInfo),
  }),
  'account.endSession': defineMethod({
    summary: 'Ends one of the signed-in account\'s sessions at once (ending the current one signs out).',
    access: 'session',
    input: z.object({ sessionId: z.string().min(1).max(100) }).strict(),
    output: z.object({ ended: z.boolean() }),
  }),
  'account.changePassword': defineMethod({
    summary: 'Changes the password (current one needed); other sessions end and every verified channel is told.',
    access: 'session',
    input: z.object({ currentPassword: PasswordText, newPassword: PasswordText, confirmPassword: PasswordText }).strict(),
    output: z.object({ changed: z.literal(true), otherSessionsEnded: z.number().int() }),
  }),
  'account.changeEmail': defineMethod({
    summary: 'Replaces the email (current password needed); the old verified channels are told and the new email gets a code.',
    access: 'session',
    input: z.object({ currentPassword: PasswordText, email: z.string().max(320) }).strict(),
    output: z.object({ account: AccountSummary, codeSentTo: MaskedChannel, delivery: DeliveryInfo }),
  }),
  'account.changePhone': defineMethod({
    summary: 'Replaces the phone number (current password needed); the old verified channels are told and the new number gets a code.',
    access: 'session',
    input: z.object({ currentPassword: PasswordText, phone: z.string().max(64) }).strict(),
    output: z.object({ account: AccountSummary, codeSentTo: MaskedChannel, delivery: DeliveryInfo }),
  }),
  'account.securityLog': defineMethod({
    summary: 'The signed-in account\'s security log (sign-ins, failures, recoveries, changes), newest first.',
    access: 'session',
    input: z.object({ limit: z.number().int().min(1).max(500).optional(), beforeId: z.number().int().optional() }).strict(),
    output: z.array(SecurityEvent),
  }),
  'account.passwordStrength': defineMethod({
    summary: 'Estimates a password\'s strength for the meter and says whether the policy would accept it (nothing is stored).',
    input: z.object({ password: PasswordText, email: z.string().max(320).optional(), phone: z.string().max(64).optional() }).strict(),
    output: PasswordStrength,
  }),

  'recovery.start': defineMethod({
    summary: 'Starts a password recovery from a phone number, email or account ID; answers the same whether or not an account matches, with the first picture code.',
    input: z.object({ identifier: IdentifierText, language: MessageLanguage.optional() }).strict(),
    output: z.object({ flowId: z.string(), state: RecoveryState, expiresAt: z.number().int(), picture: Picture, delivery: DeliveryInfo }),
  }),
  'recovery.newPicture': defineMethod({
    summary: 'Replaces the flow\'s picture code with a new one (optionally the clearer variant); at most 10 pictures a minute per address.',
    input: z.object({ ...flowRef, variant: PictureVariant.optional() }).strict(),
    output: Picture,
  }),
  'recovery.submitPicture': defineMethod({
    summary: 'Checks the characters in the picture (single use: a wrong answer brings a new picture in the error details) and sends the code.',
    input: z.object({ ...flowRef, answer: z.string().max(40) }).strict(),
    output: CodeSentAnswer,
  }),
  'recovery.resendCode': defineMethod({
    summary: 'Sends a new code to the same channel; earlier codes stop working (60 s apart, 3 per flow, 5 per account an hour, 10 a day).',
    input: z.object(flowRef).strict(),
    output: CodeSentAnswer,
  }),
  'recovery.switchChannel': defineMethod({
    summary: 'Sends the code to another of the account\'s verified channels instead ("Not working?"); counts as a resend.',
    input: z.object({ ...flowRef, channel: Channel }).strict(),
    output: CodeSentAnswer,
  }),
  'recovery.verifyCode': defineMethod({
    summary: 'Checks the 6-digit code (5 tries per flow, 10 per account a day) and gives a single-use reset grant valid 10 minutes.',
    input: z.object({ ...flowRef, code: CodeText }).strict(),
    output: z.object({ flowId: z.string(), state: RecoveryState, grant: z.string(), grantExpiresAt: z.number().int() }),
  }),
  'recovery.setPassword': defineMethod({
    summary: 'Sets the new password with the reset grant; ends every session and open recovery, tells every verified channel, starts the 24 h device hold. Does not sign in.',
    input: z.object({ ...flowRef, grant: z.string().min(1).max(200), password: PasswordText, confirmPassword: PasswordText }).strict(),
    output: z.object({ state: RecoveryState, sessionsEnded: z.number().int(), deviceHoldUntil: z.number().int() }),
  }),
  'recovery.status': defineMethod({
    summary: 'Where a recovery flow stands (state and when it expires), e.g. after the page was reloaded.',
    input: z.object(flowRef).strict(),
    output: z.object({ flowId: z.string(), state: RecoveryState, expiresAt: z.number().int() }),
  }),
  'recovery.lookupPicture': defineMethod({
    summary: 'A picture code for the forgotten-account lookup.',
    input: z.object({ variant: PictureVariant.optional() }).strict(),
    output: Picture,
  }),
  'recovery.lookupAccount': defineMethod({
    summary: 'Forgotten account: sends the list of account IDs using this phone number or email to it; the answer is the same masked confirmation in every case.',
    input: z
      .object({ identifier: IdentifierText, pictureId: z.string().min(1).max(100), answer: z.string().max(40), language: MessageLanguage.optional() })
      .strict(),
    output: z.object({ sentTo: MaskedChannel, delivery: DeliveryInfo }),
  }),
};

export type AccountMethodName = keyof typeof accountMethods;
