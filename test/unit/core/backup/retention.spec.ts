import { expect } from 'chai';
import { archiveName, archivesToDelete } from '../../../../core/backup/retention';

describe('backup retention on the drop (keep N daily, M monthly)', () => {
  it('names archives by UTC time so that names sort by time', () => {
    expect(archiveName(new Date('2026-12-04T03:04:05.678Z'))).to.equal('gridbus-20261204T030405Z.gbk');
  });

  it('keeps the newest archive of each of the newest N days and of each of the newest M months; deletes the rest, nothing else', () => {
    const names = [
      'gridbus-20261204T020000Z.gbk',
      'gridbus-20261204T010000Z.gbk', // older one of the same day
      'gridbus-20261203T020000Z.gbk',
      'gridbus-20261202T020000Z.gbk', // beyond 2 days, not the newest of its month
      'gridbus-20261130T020000Z.gbk', // newest of November: monthly
      'gridbus-20261101T020000Z.gbk',
      'gridbus-20261031T020000Z.gbk', // newest of October: monthly
      'gridbus-20260930T020000Z.gbk', // a fourth month: beyond 3 months
      'readme.txt',
      '.tmp-gridbus-20261204T030000Z.gbk',
    ];
    expect(archivesToDelete(names, 2, 3)).to.have.members([
      'gridbus-20261204T010000Z.gbk',
      'gridbus-20261202T020000Z.gbk',
      'gridbus-20261101T020000Z.gbk',
      'gridbus-20260930T020000Z.gbk',
    ]);
    expect(archivesToDelete(names, 1, 0)).to.not.include('gridbus-20261204T020000Z.gbk');
    expect(archivesToDelete(names, 1, 0)).to.have.length(7);
  });
});
