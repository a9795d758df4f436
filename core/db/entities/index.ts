import { AuditLogEntry } from './audit-log.entity';

export { AuditLogEntry };
export const ENTITIES = [AuditLogEntry];
