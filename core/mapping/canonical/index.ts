export * from './canonical-shape';
export * from './records';
export * from './operations';
export * from './check-map';
export * from './record-check';
export * from './definition-canonical';
