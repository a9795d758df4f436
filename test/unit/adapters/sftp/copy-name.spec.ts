import { expect } from 'chai';
import { copyStamp, freeName, withCopySuffix } from '../../../../adapters/sftp/copy-name';

describe('adapters/sftp - copy names (an earlier copy in .done/ or .failed/ is never overwritten)', () => {
  const at = new Date(2025, 11, 4, 10, 15, 30, 123).getTime();

  it('the suffix goes before the first dot, so the extension and a ${file:name.noext} done file stay distinct', () => {
    expect(withCopySuffix('/in/.done/ZF_20251204.csv', '20251204101530123')).to.equal('/in/.done/ZF_20251204~20251204101530123.csv');
    expect(withCopySuffix('/in/.done/report.2025.csv', 'x')).to.equal('/in/.done/report~x.2025.csv');
    expect(withCopySuffix('.done/README', 'x')).to.equal('.done/README~x');
    expect(copyStamp(at)).to.equal('20251204101530123');
  });

  it('free name - the wanted name when free, else a stamped copy name, else a counter after the stamp', async () => {
    const taken = new Set<string>();
    const exists = async (p: string) => taken.has(p);
    expect(await freeName('/d/a.csv', exists, at)).to.equal('/d/a.csv');
    taken.add('/d/a.csv');
    expect(await freeName('/d/a.csv', exists, at)).to.equal('/d/a~20251204101530123.csv');
    taken.add('/d/a~20251204101530123.csv');
    expect(await freeName('/d/a.csv', exists, at)).to.equal('/d/a~20251204101530123-1.csv');
  });
});
