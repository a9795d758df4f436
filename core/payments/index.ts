export * from './order-machine';
export * from './order-store';
export * from './write-off';
export * from './outbox-hooks';
export * from './notification-check';
