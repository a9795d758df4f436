export { Batcher, BatcherOptions } from './batcher';
