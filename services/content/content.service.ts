import { ServiceSchema } from 'moleculer';
import { ServiceDeps } from '../service-deps';

/** Public information and smart electricity: outlets, outage bulletins, news, FAQ, knowledge, guides, policies, cases (issue 12). */
export function createContentService(_deps: ServiceDeps): ServiceSchema {
  return { name: 'content', actions: {} };
}
