import { expect } from 'chai';
import { UsageError } from '../../../../bin/cli/cli-error';
import { integerOption, parseCommandLine, wantsHelp } from '../../../../bin/cli/options';

const DIR = { dir: { type: 'string' as const } };

function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(UsageError);
    expect((err as UsageError).exitCode).to.equal(2);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('bin/cli/options - command lines', () => {
  it('help - --help or -h anywhere before -- asks for help, after -- it is an argument', () => {
    expect(wantsHelp(['--dir', 'x', '--help'])).to.equal(true);
    expect(wantsHelp(['-h'])).to.equal(true);
    expect(wantsHelp(['--dir', 'x'])).to.equal(false);
    expect(wantsHelp(['--', '--help'])).to.equal(false);
  });

  it('parse - takes --name value and --name=value', () => {
    expect(parseCommandLine(['--dir', 'a'], DIR).values.dir).to.equal('a');
    expect(parseCommandLine(['--dir=b'], DIR).values.dir).to.equal('b');
  });

  it('parse - refuses an unknown option, naming it', () => {
    expect(usageError(() => parseCommandLine(['--dri', 'a'], DIR)).message).to.equal("Unknown option '--dri'");
  });

  it('parse - refuses an option without its value', () => {
    expect(usageError(() => parseCommandLine(['--dir'], DIR)).message).to.contain("'--dir <value>' argument missing");
    expect(usageError(() => parseCommandLine(['--dir', '--note'], DIR)).message).to.contain('ambiguous');
  });

  it('parse - refuses arguments the command does not take', () => {
    expect(usageError(() => parseCommandLine(['extra'], DIR)).message).to.equal("unexpected argument 'extra'");
    expect(parseCommandLine(['one'], DIR, 1).positionals).to.deep.equal(['one']);
  });

  it('integerOption - takes whole numbers at or above the minimum only', () => {
    const line = (v: string) => parseCommandLine(['--last', v], { last: { type: 'string' } });
    expect(integerOption(line('20'), 'last', 1)).to.equal(20);
    expect(integerOption(parseCommandLine([], {}), 'last')).to.equal(undefined);
    for (const bad of ['0', '1.5', 'x', '9007199254740993']) {
      expect(usageError(() => integerOption(line(bad), 'last', 1)).message).to.contain('--last takes a whole number');
    }
  });
});
