import { z } from 'zod';
import { defineEvent, defineMethod } from './define';

export const DeliveryMode = z.enum(['sandbox', 'real']);
export type DeliveryMode = z.infer<typeof DeliveryMode>;

export const SystemInfo = z.object({
  name: z.literal('Lifeline'),
  version: z.string(),
  dataDir: z.string(),
  host: z.enum(['desktop', 'web']),
  delivery: z.object({
    mode: DeliveryMode,
    email: z.enum(['smtp', 'outbox']),
    sms: z.enum(['webhook', 'outbox']),
    /** Where sandbox messages are written; only present in sandbox mode. */
    outboxDir: z.string().optional(),
  }),
  testHooks: z.boolean(),
});
export type SystemInfo = z.infer<typeof SystemInfo>;

export const Settings = z.object({
  language: z.enum(['system', 'en', 'id']),
  theme: z.enum(['system', 'light', 'dark']),
});
export type Settings = z.infer<typeof Settings>;

export const systemMethods = {
  'system.info': defineMethod({
    summary: 'Version, data dir, host kind and delivery mode, for the status bar.',
    input: z.object({}).strict(),
    output: SystemInfo,
  }),
  'system.pickPaths': defineMethod({
    summary: "Shows the computer's own folder or file picker (desktop app only); the web host answers unavailable.",
    input: z
      .object({
        kind: z.enum(['folder', 'files']),
        /** The picker window's title, in the person's language. */
        title: z.string().max(200).optional(),
      })
      .strict(),
    output: z.object({ paths: z.array(z.string()) }),
  }),
  'system.ping': defineMethod({
    summary: 'Echoes a short text back with the service time; a liveness check through the whole stack.',
    input: z.object({ text: z.string().max(200) }).strict(),
    output: z.object({ text: z.string(), at: z.number().int() }),
  }),
  'settings.get': defineMethod({
    summary: 'The person\'s app settings.',
    input: z.object({}).strict(),
    output: Settings,
  }),
  'settings.update': defineMethod({
    summary: 'Changes some app settings and returns all of them.',
    input: Settings.partial().strict(),
    output: Settings,
  }),
};

export const systemEvents = {
  'settings.changed': defineEvent({
    summary: 'Settings were changed (by this or another window).',
    payload: Settings,
  }),
};
