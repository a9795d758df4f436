import { expect } from 'chai';
import {
  compileDatePattern,
  compileDoneFileName,
  compileExpression,
  compileMoveExpression,
  compileNamePattern,
  nameFilter,
  resolveTarget,
} from '../../../../adapters/sftp/file-expression';
import { GridbusError } from '../../../../core/errors';

// local time, so that the expected strings do not depend on the machine's zone
const NOW = new Date(2025, 2, 7, 9, 5, 3, 42).getTime(); // 2025-03-07 09:05:03.042
const MTIME = new Date(2024, 11, 31, 23, 59, 58).getTime();
const ctx = (name: string) => ({ name, mtime: MTIME, now: NOW });

function configError(fn: () => unknown): GridbusError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(GridbusError);
    expect((err as GridbusError).errorCode).to.equal('CONFIG_INVALID');
    return err as GridbusError;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('adapters/sftp - file expressions', () => {
  it('file tokens - name, noext (first dot), noext.single (last dot), ext, ext.single, onlyname', () => {
    const e = (s: string) => compileExpression(s, 'test').evaluate(ctx('report.2025.csv'));
    expect(e('${file:name}')).to.equal('report.2025.csv');
    expect(e('${file:name.noext}')).to.equal('report');
    expect(e('${file:name.noext.single}')).to.equal('report.2025');
    expect(e('${file:name.ext}')).to.equal('2025.csv');
    expect(e('${file:name.ext.single}')).to.equal('csv');
    expect(e('${file:onlyname}')).to.equal('report.2025.csv');
    expect(e('${file:onlyname.noext}')).to.equal('report');
    expect(compileExpression('${file:name.noext}', 't').evaluate(ctx('README'))).to.equal('README');
    expect(compileExpression('${file:name.ext}', 't').evaluate(ctx('README'))).to.equal('');
  });

  it('date tokens - ${date:now:...} uses now, ${date:file:...} the file mtime, local time', () => {
    expect(compileExpression('.done/${date:now:yyyyMMdd}/${file:name}', 'move').evaluate(ctx('a.txt'))).to.equal('.done/20250307/a.txt');
    expect(compileExpression('${date:now:yyyy-MM-dd HH:mm:ss.SSS}', 't').evaluate(ctx('a'))).to.equal('2025-03-07 09:05:03.042');
    expect(compileExpression('${date:file:yyMMdd-HHmmss}', 't').evaluate(ctx('a'))).to.equal('241231-235958');
    expect(compileDatePattern('yyyyMMdd')(NOW)).to.equal('20250307');
  });

  it('refuses unknown tokens, unknown date letters and unclosed ${ when the option is read', () => {
    expect(configError(() => compileExpression('${file:sizes}', 'move')).message).to.match(/move: unknown token \$\{file:sizes\}/);
    expect(configError(() => compileExpression('${date:now:YYYYMMDD}', 'move')).message).to.match(/not a date letter/);
    expect(configError(() => compileExpression('${date:now:yyyyMMddTHH}', 'move')).message).to.match(/'T'/);
    expect(configError(() => compileExpression('.done/${file:name', 'move')).message).to.match(/unclosed/);
  });

  it('move expressions - a value without tokens is a directory and the file keeps its name (Camel)', () => {
    expect(compileMoveExpression('.done', 'move').evaluate(ctx('a.txt'))).to.equal('.done/a.txt');
    expect(compileMoveExpression('.done/', 'move').evaluate(ctx('a.txt'))).to.equal('.done/a.txt');
    expect(compileMoveExpression('/archive/in', 'move').evaluate(ctx('a.txt'))).to.equal('/archive/in/a.txt');
    expect(compileMoveExpression('.failed/${file:name}.bad', 'moveFailed').evaluate(ctx('a.txt'))).to.equal('.failed/a.txt.bad');
    configError(() => compileMoveExpression('  ', 'move'));
  });

  it('targets resolve against the consumer directory unless absolute', () => {
    expect(resolveTarget('/data/in', '.done/a.txt')).to.equal('/data/in/.done/a.txt');
    expect(resolveTarget('/data/in', '../archive/a.txt')).to.equal('/data/archive/a.txt');
    expect(resolveTarget('/data/in', '/archive/a.txt')).to.equal('/archive/a.txt');
    expect(resolveTarget('in', '.done/a.txt')).to.equal('in/.done/a.txt');
  });

  describe('done file names', () => {
    it('${file:name}.done and ${file:name.noext}.ok name the done file of a data file', () => {
      expect(compileDoneFileName('${file:name}.done').evaluate(ctx('a.csv'))).to.equal('a.csv.done');
      expect(compileDoneFileName('${file:name.noext}.ok').evaluate(ctx('a.csv'))).to.equal('a.ok');
      expect(compileDoneFileName('ready-${file:name}').evaluate(ctx('a.csv'))).to.equal('ready-a.csv');
    });

    it('recognises done files by their shape, so they are never consumed as data', () => {
      const d = compileDoneFileName('${file:name}.done');
      expect(d.isDoneFile('a.csv.done')).to.equal(true);
      expect(d.isDoneFile('a.csv')).to.equal(false);
      expect(d.isDoneFile('.done')).to.equal(false);
      const ok = compileDoneFileName('${file:name.noext}.ok');
      expect(ok.isDoneFile('a.ok')).to.equal(true);
      expect(ok.isDoneFile('a.okay')).to.equal(false);
    });

    it('refuses a done file that does not name the data file, is the data file itself, or sits elsewhere', () => {
      expect(configError(() => compileDoneFileName('ready')).message).to.match(/must contain \$\{file:name\}/);
      expect(configError(() => compileDoneFileName('${file:name}')).message).to.match(/own name/);
      expect(configError(() => compileDoneFileName('done/${file:name}')).message).to.match(/without '\/'/);
    });
  });

  describe('include / exclude', () => {
    it('a string is a regular expression matched against the whole name (Java String.matches)', () => {
      const csv = compileNamePattern('.*\\.csv', 'include');
      expect(csv.test('a.csv')).to.equal(true);
      expect(csv.test('a.csv.tmp')).to.equal(false);
      expect(compileNamePattern('\\.csv', 'include').test('a.csv'), 'not a substring search').to.equal(false);
      expect(compileNamePattern('a|b', 'include').test('ab'), 'alternation is anchored as a whole').to.equal(false);
    });

    it('exclude wins over include; both optional', () => {
      const f = nameFilter(compileNamePattern('.*\\.csv', 'include'), compileNamePattern('tmp-.*', 'exclude'));
      expect(['a.csv', 'tmp-b.csv', 'c.txt'].filter(f)).to.deep.equal(['a.csv']);
      expect(['x', 'y'].filter(nameFilter())).to.deep.equal(['x', 'y']);
    });

    it('a RegExp object is used as given (global flag safe)', () => {
      const f = nameFilter(/\.csv$/g);
      expect(['a.csv', 'b.csv', 'c.csv'].filter(f)).to.deep.equal(['a.csv', 'b.csv', 'c.csv']);
    });

    it('an invalid regular expression is CONFIG_INVALID', () => {
      expect(configError(() => compileNamePattern('(', 'include')).message).to.match(/include: '\(' is not a valid regular expression/);
    });
  });
});
