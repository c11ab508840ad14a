import type { z } from 'zod';
import type { EventSpec, MethodSpec } from './define';
import { accountMethods } from './account';
import { backupEvents, backupMethods } from './backup';
import { deviceEvents, deviceMethods } from './devices';
import { shopEvents, shopMethods } from './shop';
import { systemEvents, systemMethods } from './system';

export * from './define';
export * from './envelope';
export * from './errors';
export * from './system';
export * from './account';
export * from './backup';
export * from './devices';
export * from './shop';

/** Every method the app answers, by name. Domain files add their own maps here. */
export const methods = {
  ...systemMethods,
  ...accountMethods,
  ...backupMethods,
  ...deviceMethods,
  ...shopMethods,
} as const satisfies Record<string, MethodSpec>;

/** Every event the app emits, by name. */
export const events = {
  ...systemEvents,
  ...backupEvents,
  ...deviceEvents,
  ...shopEvents,
} as const satisfies Record<string, EventSpec>;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
export type MethodParsedInput<M extends MethodName> = z.output<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]['payload']>;

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}

export function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(events, name);
}

/** Method names are dotted lower-camel words; anything else is refused before lookup. */
export const METHOD_NAME_PATTERN = /^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)+$/;
