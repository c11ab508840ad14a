import type { Envelope, EventName, EventPayload, MethodInput, MethodName, MethodOutput } from '../../contract';
import type { Transport } from './transport';

/** The one typed door from the renderer to Lifeline: every method and event of the contract, by name. */
export interface LifelineClient {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Envelope<MethodOutput<M>>>;
  on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void;
}

export function createClient(transport: Transport): LifelineClient {
  return {
    call<M extends MethodName>(method: M, input: MethodInput<M>) {
      // The dispatcher has validated the output against the contract before it crossed the boundary.
      return transport.call(method, input) as Promise<Envelope<MethodOutput<M>>>;
    },
    on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void) {
      return transport.on(event, (payload) => handler(payload as EventPayload<E>));
    },
  };
}
