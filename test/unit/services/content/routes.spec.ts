import { expect } from 'chai';
import { adminRoutes, apiRoutes } from '../../../../services/content/routes';
import { ADMIN_ACTION_ROLES } from '../../../../services/gateway/routes/admin.route';
import { ROLES } from '../../../../services/auth/operator-accounts';

describe('content routes - user and operator route sets', () => {
  it('content routes - every admin action has its roles: editors write, operators and auditors only read', () => {
    const actions = new Set(Object.values(adminRoutes.aliases));
    expect(Object.keys(adminRoutes.roles!).sort()).to.deep.equal([...actions].sort());
    for (const [alias, action] of Object.entries(adminRoutes.aliases)) {
      const roles = adminRoutes.roles![action];
      if (alias.startsWith('GET ')) expect(roles, alias).to.include.members(['operator', 'auditor', 'editor']);
      else expect(roles, alias).to.deep.equal(['editor']);
    }
  });

  it('content routes - the gateway knows the roles, and editor is an operator role', () => {
    expect(ADMIN_ACTION_ROLES['content.create']).to.deep.equal(['editor']);
    expect(ROLES).to.include('editor');
  });

  it('content routes - content/search is declared before content/:id (aliases match in order)', () => {
    const order = Object.keys(apiRoutes.aliases);
    expect(order.indexOf('GET content/search')).to.be.lessThan(order.indexOf('GET content/:id'));
  });
});
