import type { EventName, EventPayload } from '../shared/contract/index.js';

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** Pushes Events to whoever hosts the till (Electron window, web socket clients, tests). */
export interface EventBus {
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
  subscribe: (listener: EventListener) => () => void;
}

export function createEventBus(onListenerError: (err: unknown) => void): EventBus {
  const listeners = new Set<EventListener>();
  return {
    emit(event, payload) {
      for (const l of listeners) {
        // One broken window must not stop the others, nor the till.
        try {
          l(event, payload);
        } catch (err) {
          onListenerError(err);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
