import { RouteSet } from '../gateway/routes/route-set';

/** User routes under /api/v1 (user JWT): what is published now. `content/search` before `content/:id`. */
export const apiRoutes: RouteSet = {
  aliases: {
    'GET content': 'content.list',
    'GET content/search': 'content.search',
    'GET content/:id': 'content.get',
    'GET outlets': 'content.outlets',
    'GET outages': 'content.outages',
  },
};

const READERS = ['operator', 'auditor', 'editor'];
const WRITERS = ['editor'];

/** Operator routes under /admin/api: editors write (every change audited), operators and auditors read. */
export const adminRoutes: RouteSet = {
  aliases: {
    'GET content': 'content.adminList',
    'GET content/:id': 'content.adminGet',
    'POST content': 'content.create',
    'PUT content/:id': 'content.update',
    'POST content/:id/publish': 'content.publish',
    'POST content/:id/retire': 'content.retire',
    'GET outlets': 'content.adminOutlets',
    'POST outlets': 'content.createOutlet',
    'PUT outlets/:id': 'content.updateOutlet',
  },
  roles: {
    'content.adminList': READERS,
    'content.adminGet': READERS,
    'content.adminOutlets': READERS,
    'content.create': WRITERS,
    'content.update': WRITERS,
    'content.publish': WRITERS,
    'content.retire': WRITERS,
    'content.createOutlet': WRITERS,
    'content.updateOutlet': WRITERS,
  },
};
