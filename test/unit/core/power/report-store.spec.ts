import { expect } from 'chai';
import { recordReportStatus, reportSerial } from '../../../../core/power/report-store';

describe('power - report serials and status moves', () => {
  it('power - a report serial is stable and unique per report id', () => {
    expect(reportSerial('12')).to.equal('RPT0000000012');
    expect(reportSerial('12')).to.equal(reportSerial('12'));
    expect(reportSerial('120')).to.not.equal(reportSerial('12'));
  });

  it('power - a report never moves back (a late ACCEPTED after IN_PROGRESS), and an unchanged answer records nothing', async () => {
    const queries: string[] = [];
    const tx = { query: async (sql: string) => void queries.push(sql) };
    const report = { id: '7', status: 'IN_PROGRESS' as const, reply: null, ticketNo: 'TK1' };
    expect(await recordReportStatus(tx, report, { status: 'ACCEPTED', reply: null, ticketNo: 'TK1' }, 'job')).to.equal(false);
    expect(await recordReportStatus(tx, report, { status: 'IN_PROGRESS', reply: null, ticketNo: 'TK1' }, 'job')).to.equal(false);
    expect(queries).to.deep.equal([]);
    expect(await recordReportStatus(tx, report, { status: 'CLOSED', reply: 'done', ticketNo: 'TK1' }, 'job')).to.equal(true);
    expect(queries).to.have.length(2);
  });
});
