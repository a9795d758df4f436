import { ServiceSchema } from 'moleculer';
import { ServiceDeps } from '../service-deps';

/** Users: the mobile as primary identity, the group's unified user system, life-number follow/unfollow events (issue 12). */
export function createUsersService(_deps: ServiceDeps): ServiceSchema {
  return { name: 'users', actions: {} };
}
