import { Component, type ReactNode } from 'react';

/**
 * One screen failing to draw must not blank the till: the cashier sees what happened and a
 * way back, and the sale in the till (which owns all state) is untouched.
 */
export class ErrorBoundary extends Component<
  { children: ReactNode; onReset: () => void },
  { error: Error | null }
> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error) {
    console.error('a screen failed to draw', error);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="empty screen-error" role="alert">
        <h2>This screen could not be shown</h2>
        <p className="muted">{this.state.error.message}. Nothing was lost: the till keeps every sale.</p>
        <button
          className="btn primary big"
          onClick={() => {
            this.setState({ error: null });
            this.props.onReset();
          }}
        >
          Back to the register
        </button>
      </div>
    );
  }
}
