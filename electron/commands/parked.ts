import type { Handlers, TillContext } from './context.js';

/** Held carts: park the cart under a name, list them, resume or discard one. */
export function parkedCommands({ parked }: TillContext) {
  return {
    parkCart: ({ name }) => parked.park(name),
    listParkedCarts: () => ({ carts: parked.list() }),
    resumeParkedCart: ({ parkedId }) => parked.resume(parkedId),
    discardParkedCart: ({ parkedId }) => ({ carts: parked.discard(parkedId) }),
  } satisfies Partial<Handlers>;
}
