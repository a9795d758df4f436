import { expect } from 'chai';
import { randomBytes } from 'crypto';
import { AuditWriter } from '../../../../core/audit';
import { openDatabase } from '../../../../core/db';
import { MIGRATIONS } from '../../../../core/db/migrations';
import { withFreshDatabase } from '../../../helpers/db';
import { requireEnv } from '../../../helpers/env';

describe('core/db - migrations on PostgreSQL', () => {
  it('applies every migration once even when two nodes start at the same moment', async () => {
    await withFreshDatabase(async (url) => {
      const [a, b] = await Promise.all([openDatabase(url), openDatabase(url)]);
      try {
        expect([...a.applied, ...b.applied]).to.deep.equal(MIGRATIONS.map((m) => m.name));
        const tables = await a.dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`);
        expect(tables.map((t: { table_name: string }) => t.table_name)).to.include.members(['audit_log', 'schema_migrations']);
        const again = await openDatabase(url);
        expect(again.applied).to.deep.equal([]);
        await again.dataSource.destroy();
      } finally {
        await a.dataSource.destroy();
        await b.dataSource.destroy();
      }
    });
  });

  it('reverts every migration down to an empty schema', async () => {
    await withFreshDatabase(async (url) => {
      const { dataSource } = await openDatabase(url);
      try {
        for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration();
        const rows = await dataSource.query(`SELECT to_regclass('public.audit_log') AS t`);
        expect(rows[0].t).to.equal(null);
      } finally {
        await dataSource.destroy();
      }
    });
  });
});

describe('core/audit - audit writer', () => {
  it('stores who, what, outcome and masks personal data in the details', async () => {
    const { dataSource } = await openDatabase(requireEnv('TEST_DATABASE_URL'));
    try {
      const requestId = `audit-writer-${randomBytes(4).toString('hex')}`;
      await new AuditWriter(dataSource).record({
        actor: 'operator:li',
        action: 'binding.lookup',
        outcome: 'success',
        target: '3301000001',
        sourceIp: '10.0.0.8',
        requestId,
        details: { mobile: '13812345678', certNo: '330106198503124520', note: 'ok' },
      });
      const [row] = await dataSource.query('SELECT actor, action, outcome, source_ip, details FROM audit_log WHERE request_id = $1', [requestId]);
      expect(row).to.deep.include({ actor: 'operator:li', action: 'binding.lookup', outcome: 'success', source_ip: '10.0.0.8' });
      expect(row.details.note).to.equal('ok');
      expect(row.details.mobile).to.equal('138****5678');
      expect(row.details.certNo).to.not.contain('19850312');
      expect(JSON.stringify(row)).to.not.contain('13812345678');
    } finally {
      await dataSource.destroy();
    }
  });

  it('refuses an outcome outside the vocabulary at the database', async () => {
    const { dataSource } = await openDatabase(requireEnv('TEST_DATABASE_URL'));
    try {
      let error: Error | undefined;
      await new AuditWriter(dataSource).record({ actor: 'x', action: 'y', outcome: 'maybe' as never }).catch((e: Error) => (error = e));
      expect(error?.message).to.match(/check constraint/);
    } finally {
      await dataSource.destroy();
    }
  });
});
