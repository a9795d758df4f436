export * from './outbox-writer';
export * from './backoff';
export * from './outbox-store';
export * from './settle-hook';
