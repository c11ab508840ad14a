import { z } from 'zod';
import {
  LifelineError,
  METHOD_NAME_PATTERN,
  isMethodName,
  methods,
  type Envelope,
  type MethodName,
  type MethodOutput,
  type MethodParsedInput,
} from '../contract';

/** Where the current caller keeps its account session (a cookie on the web, per window in Electron). */
export interface SessionSlot {
  get(): string | undefined;
  set(token: string | undefined): void;
}

export interface CallContext {
  readonly transport: 'ipc' | 'http' | 'internal';
  /** The caller's address; loopback for IPC. Used for rate limits and the security log. */
  readonly ip: string;
  readonly userAgent: string;
  readonly session: SessionSlot;
  /** Aborted when the caller goes away (window closed, HTTP request closed). */
  readonly signal?: AbortSignal;
}

export type Handler<M extends MethodName> = (
  input: MethodParsedInput<M>,
  ctx: CallContext,
) => MethodOutput<M> | Promise<MethodOutput<M>>;

export type Handlers = { [M in MethodName]: Handler<M> };

export interface Dispatcher {
  dispatch(method: string, input: unknown, ctx: CallContext): Promise<Envelope<unknown>>;
}

export interface DispatcherOptions {
  /** Told about unexpected failures; never about inputs (they may hold passwords). */
  onInternalError?: (method: string, error: unknown) => void;
}

/**
 * The one dispatcher both transports use: look the method up in the contract, validate the input,
 * run the handler, validate the output, answer an envelope. Nothing throws past this point.
 */
export function createDispatcher(handlers: Handlers, options: DispatcherOptions = {}): Dispatcher {
  return {
    async dispatch(method, input, ctx) {
      if (typeof method !== 'string' || !METHOD_NAME_PATTERN.test(method) || !isMethodName(method)) {
        return {
          ok: false,
          error: {
            code: 'unknown_method',
            message: `There is no method called "${String(method).slice(0, 80)}". GET /api/methods lists the ones there are.`,
          },
        };
      }
      const spec = methods[method];
      const parsed = spec.input.safeParse(input ?? {});
      if (!parsed.success) {
        return {
          ok: false,
          error: { code: 'invalid_input', message: describeIssues(method, parsed.error) },
        };
      }
      try {
        const handler = handlers[method] as (input: unknown, ctx: CallContext) => unknown;
        const value = await handler(parsed.data, ctx);
        const checked = spec.output.safeParse(value);
        if (!checked.success) {
          options.onInternalError?.(method, checked.error);
          return {
            ok: false,
            error: { code: 'invalid_output', message: `${method} produced an answer the contract does not allow. This is a bug in Lifeline.` },
          };
        }
        return { ok: true, value: checked.data };
      } catch (error) {
        if (error instanceof LifelineError) {
          return {
            ok: false,
            error: error.details
              ? { code: error.code, message: error.message, details: error.details }
              : { code: error.code, message: error.message },
          };
        }
        options.onInternalError?.(method, error);
        return {
          ok: false,
          error: { code: 'internal', message: `${method} failed unexpectedly. Try again; if it keeps failing, restart Lifeline.` },
        };
      }
    },
  };
}

/** A readable summary of what was wrong with an input, naming fields but never echoing values. */
export function describeIssues(method: string, error: z.ZodError): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : 'input';
    if (issue.code === 'unrecognized_keys') return `${where}: unexpected field(s) ${issue.keys.join(', ')}`;
    return `${where}: ${issue.message}`;
  });
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : '';
  return `Invalid input for ${method}: ${parts.join('; ')}${more}.`;
}

/** A session slot that lives in memory; for internal calls and tests. */
export function memorySessionSlot(initial?: string): SessionSlot {
  let token = initial;
  return {
    get: () => token,
    set: (next) => {
      token = next;
    },
  };
}
