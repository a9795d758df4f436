export * from './config';
export * from './world';
export * from './shrink';
export * from './sweep';
export { Checker } from './invariants';
export type { Violation } from './invariants';
