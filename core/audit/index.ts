export { AuditWriter, AuditEvent } from './audit-writer';
export { RepeatedRefusals, RepeatedRefusalsOptions } from './repeated-refusals';
