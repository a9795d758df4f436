/** Operators. Interim rule until operator accounts exist: a token with scope `admin`. */
export function adminRoute() {
  return {
    path: '/admin/api',
    mappingPolicy: 'restrict',
    authentication: true,
    authorization: true,
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
    },
  };
}
