import type { EventName, EventPayload } from '../../contract';

export interface EmittedEvent<E extends EventName = EventName> {
  readonly name: E;
  readonly payload: EventPayload<E>;
  /** Monotonic per process; SSE uses it as the event id. */
  readonly seq: number;
}

export type EventListener = (event: EmittedEvent) => void;

/** The app's event bus: services emit, transports (IPC, SSE) forward to windows. */
export class EventBus {
  private readonly listeners = new Set<EventListener>();
  private seq = 0;

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    const event: EmittedEvent = { name, payload, seq: ++this.seq } as EmittedEvent;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A broken subscriber (a closed window) must not stop delivery to the others.
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
