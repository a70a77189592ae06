import type { SocketState } from '../till-client.js';

/**
 * Over every screen while the browser cannot use the till: what happened and what to do, instead
 * of spinners that never end. It goes away by itself when the socket opens again.
 */
export function TillUnreachable({ state }: { state: SocketState }) {
  if (state !== 'down' && state !== 'refused') return null;
  const printed = `${location.origin}/?token=…`;
  return (
    <div className="till-unreachable" role="alert" data-testid="till-unreachable" data-state={state}>
      <div className="till-unreachable-card">
        {state === 'down' ? (
          <>
            <h1>The till is not answering</h1>
            <p>Nothing rung up is lost: the till keeps the cart and every sale.</p>
            <ol>
              <li>
                Check that the till is running: on its computer, <code>npm run serve</code> (or the Lightning
                Till app).
              </li>
              <li>This screen reconnects by itself when the till is back, and shows what it did.</li>
              <li>If the till was started again and printed a different address, open that address.</li>
            </ol>
            <p className="till-unreachable-trying" aria-busy="true">
              Trying to reach the till…
            </p>
          </>
        ) : (
          <>
            <h1>Open the till’s address again</h1>
            <p>The till is running but no longer accepts this page: it was started with a new key.</p>
            <ol>
              <li>
                Open the address the till printed when it started, token included: it looks like{' '}
                <code>{printed}</code>
              </li>
              <li>This page comes back by itself once that address has been opened in this browser.</li>
            </ol>
          </>
        )}
      </div>
    </div>
  );
}
