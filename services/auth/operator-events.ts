/**
 * Broadcast (to the gateways, group `api`) when an operator is disabled or
 * enabled, its roles change, or one of its sessions ends (log-out, a reused
 * refresh token): every gateway forgets what it cached about that operator.
 * Payload `{ username }`.
 */
export const OPERATOR_CHANGED = 'auth.operator.changed';
