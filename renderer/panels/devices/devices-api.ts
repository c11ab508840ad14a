import type { z } from 'zod';
import type { Envelope, ErrorBody } from '../../../contract';
import type { DeviceEventName, DeviceEventPayload, DeviceMethodName, deviceMethods } from '../../../contract/devices';
import type { LifelineClient } from '../../api/client';

type Methods = typeof deviceMethods;
export type DevicesInput<M extends DeviceMethodName> = z.input<Methods[M]['input']>;
export type DevicesOutput<M extends DeviceMethodName> = z.output<Methods[M]['output']>;

/** The devices part of the contract, typed from contract/devices.ts. */
export interface DevicesApi {
  call<M extends DeviceMethodName>(method: M, input: DevicesInput<M>): Promise<Envelope<DevicesOutput<M>>>;
  on<E extends DeviceEventName>(event: E, handler: (payload: DeviceEventPayload<E>) => void): () => void;
}

interface UntypedClient {
  call(method: string, input: unknown): Promise<Envelope<unknown>>;
  on(event: string, handler: (payload: unknown) => void): () => void;
}

/**
 * Types the devices methods and events straight from contract/devices.ts, so this panel does not depend on
 * when the domain is added to contract/index.ts. The far side validates every input and output anyway.
 */
export function devicesApi(client: LifelineClient): DevicesApi {
  const untyped = client as unknown as UntypedClient;
  return {
    call: (method, input) => untyped.call(method, input) as never,
    on: (event, handler) => untyped.on(event, (payload) => handler(payload as never)),
  };
}

/** A failure as the panel keeps it: the dispatcher's code and its message (which says what to do next). */
export interface DevicesError {
  code: string;
  message: string;
}

export function toError(error: ErrorBody): DevicesError {
  return { code: error.code, message: error.message };
}

/**
 * The session is gone. Over HTTP `not_signed_in` arrives as 401, which the web transport reports as
 * `unauthorized`; for a method that needs a session both mean "sign in again".
 */
export function sessionGone(code: string): boolean {
  return code === 'not_signed_in' || code === 'unauthorized';
}
