import { GridbusConfig } from '../../../config';
import { ADMIN_ROUTE_SETS } from '../../route-sets';
import { mergeRouteSets } from './route-set';

/** The plates' operator routes (services/<plate>/routes.ts), with their roles. */
const PLATE_ADMIN = mergeRouteSets(ADMIN_ROUTE_SETS);

/**
 * Which operator roles may call each admin action. `admin` may do all; an
 * action missing here is refused to everyone but `admin`.
 */
export const ADMIN_ACTION_ROLES: Record<string, string[]> = {
  'mappings.active': ['operator', 'auditor'],
  'mappings.releases': ['operator', 'auditor'],
  'mappings.release': ['operator', 'auditor'],
  'mappings.exchanges': ['operator'],
  'mappings.validate': ['operator'],
  'mappings.diff': ['operator'],
  'mappings.dryRun': ['operator'],
  'mappings.publish': [],
  'mappings.rollback': [],
  'audit.list': ['auditor'],
  'statistics.access': ['operator', 'auditor'],
  'auth.createOperator': [],
  'auth.updateOperator': [],
  'api.bans': ['operator', 'auditor'],
  'api.liftBan': ['operator'],
  'scheduler.list': ['operator', 'auditor'],
  'scheduler.history': ['operator', 'auditor'],
  'scheduler.run': ['operator'],
  'scheduler.pause': ['operator'],
  'scheduler.resume': ['operator'],
  'scheduler.reschedule': ['operator'],
  'outbox.backlog': ['operator', 'auditor'],
  'outbox.dead': ['operator', 'auditor'],
  'outbox.replay': ['operator'],
  'outbox.discard': ['operator'],
  'payment.adminList': ['operator', 'auditor'],
  'payment.adminGet': ['operator', 'auditor'],
  'payment.refund': ['operator'],
  ...PLATE_ADMIN.roles,
};

/** Operators: an operator token (audience `<aud>-admin`) with roles checked per action. */
export function adminRoute(config: GridbusConfig) {
  return {
    path: '/admin/api',
    // Operators' networks only (GATEWAY_ADMIN_ALLOW), each call with an operator token checked before the body
    // is read. Only refused requests count towards an IP ban, and a banned address with a valid token still
    // gets in: an operator behind a banned NAT can list and lift bans, an unauthenticated flood is banned.
    policies: { group: 'admin', ipRestriction: { allow: config.gateway.adminAllow }, ipLimit: config.gateway.ipLimit && { count: 'refusals' as const } },
    mappingPolicy: 'restrict',
    authentication: 'authenticateOperator',
    authorization: 'authorizeOperator',
    bodyParsers: { json: { strict: true, limit: '2mb' }, urlencoded: false },
    aliases: {
      'GET mappings/active': 'mappings.active',
      'GET mappings/releases': 'mappings.releases',
      'GET mappings/releases/:version': 'mappings.release',
      'GET mappings/exchanges/:operation': 'mappings.exchanges',
      'POST mappings/validate': 'mappings.validate',
      'POST mappings/diff': 'mappings.diff',
      'POST mappings/dry-run': 'mappings.dryRun',
      'POST mappings/publish': 'mappings.publish',
      'POST mappings/rollback': 'mappings.rollback',
      'GET audit': 'audit.list',
      'GET statistics/access': 'statistics.access',
      'POST operators': 'auth.createOperator',
      'PATCH operators/:username': 'auth.updateOperator',
      'GET gateway/bans': 'api.bans',
      'DELETE gateway/bans/:ip': 'api.liftBan',
      'GET jobs': 'scheduler.list',
      'GET jobs/history': 'scheduler.history',
      'POST jobs/:job/run': 'scheduler.run',
      'POST jobs/:job/pause': 'scheduler.pause',
      'POST jobs/:job/resume': 'scheduler.resume',
      'PATCH jobs/:job': 'scheduler.reschedule',
      'GET outbox/backlog': 'outbox.backlog',
      'GET outbox/dead': 'outbox.dead',
      'POST outbox/replay': 'outbox.replay',
      'POST outbox/:id/discard': 'outbox.discard',
      // the money path (docs/payments.md): orders for operators, refunds with a reason
      'GET payments': 'payment.adminList',
      'GET payments/:id': 'payment.adminGet',
      'POST payments/:id/refunds': 'payment.refund',
      ...PLATE_ADMIN.aliases,
    },
  };
}

/** Operator log-in, refresh and log-out: no token needed to reach them. */
export function adminSessionRoute(config: GridbusConfig) {
  return {
    path: '/admin/api/session',
    // operators' networks only; log-in attempts per address bounded (accounts also lock out)
    policies: {
      group: 'admin',
      ipRestriction: { allow: config.gateway.adminAllow },
      routes: { 'POST /': { rateLimiting: { minute: 30, limitBy: 'ip' as const } } },
    },
    mappingPolicy: 'restrict',
    bodyParsers: { json: { strict: true, limit: '4kb' }, urlencoded: false },
    aliases: {
      'POST /': 'auth.operatorLogin',
      'POST refresh': 'auth.operatorRefresh',
      'POST logout': 'auth.logout',
    },
  };
}
