import type { z } from 'zod';

/**
 * Who may call a method.
 * - `public`: any caller holding the host token (the desktop window, the local web page).
 * - `session`: additionally needs a signed-in account session.
 */
export type Access = 'public' | 'session';

export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly input: I;
  readonly output: O;
  readonly access: Access;
  /** One sentence for /api/methods and the docs. */
  readonly summary: string;
}

export function defineMethod<I extends z.ZodType, O extends z.ZodType>(spec: {
  input: I;
  output: O;
  access?: Access;
  summary: string;
}): MethodSpec<I, O> {
  return { access: 'public', ...spec };
}

export interface EventSpec<P extends z.ZodType = z.ZodType> {
  readonly payload: P;
  readonly summary: string;
}

export function defineEvent<P extends z.ZodType>(spec: { payload: P; summary: string }): EventSpec<P> {
  return spec;
}
