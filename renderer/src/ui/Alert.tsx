import type { ReactNode } from 'react';

type Props = { tone: 'error' | 'success' | 'info'; title?: string; children: ReactNode };

/** Errors interrupt (role=alert); confirmations are announced politely (role=status). */
export function Alert({ tone, title, children }: Props) {
  return (
    <div className={`alert alert-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {title && <p className="alert-title">{title}</p>}
      <p>{children}</p>
    </div>
  );
}
