export { AuditWriter, AuditEvent } from './audit-writer';
