import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EmbeddedDatabaseError } from '../../../../core/db/embedded-database-error';
import { postgresRunAs } from '../../../../core/db/postgres-os-user';
import { postgresBinariesFor, postgresPlaceOf, preparePostgresPlace } from '../../../../core/db/postgres-place';

/**
 * The rule shared by the embedded default and scripts/services.sh: as root,
 * PostgreSQL runs as the postgres OS user, and whatever that user cannot
 * reach moves under a base folder it can (here a temporary one).
 */
describe('postgres place - data and programs go where the postgres OS user can reach them', () => {
  let work: string;
  let base: string;
  let runAs: ReturnType<typeof postgresRunAs>;

  before(function () {
    if (process.getuid?.() !== 0) this.skip(); // only root hands PostgreSQL to another OS user
    runAs = postgresRunAs();
  });

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-place-'));
    fs.chmodSync(work, 0o755); // the base below must be reachable, as /var/lib/gridbus is
    base = path.join(work, 'base');
  });

  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  function folder(name: string, mode: number): string {
    const dir = path.join(work, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, mode);
    return dir;
  }

  it('keeps a path the postgres user can reach where it is, with no link', () => {
    const wanted = path.join(folder('open/var', 0o755), 'pg');
    const place = preparePostgresPlace(wanted, { runAs, base });
    expect(place).to.deep.equal({ dir: wanted, relocated: false, blockedBy: null });
    expect(fs.existsSync(base)).to.equal(false);
  });

  it('moves a path inside a private folder under the base, links it and follows the link next time', () => {
    const secret = folder('private', 0o700);
    const wanted = path.join(secret, 'var', 'pg');
    const place = preparePostgresPlace(wanted, { runAs, base });
    expect(place.relocated).to.equal(true);
    expect(place.blockedBy).to.equal(secret);
    expect(path.dirname(path.dirname(place.dir))).to.equal(base);
    expect(fs.readlinkSync(wanted)).to.equal(place.dir);
    expect(fs.readFileSync(path.join(path.dirname(place.dir), 'origin'), 'utf8')).to.equal(`${wanted}\n`);
    expect(fs.statSync(path.dirname(place.dir)).mode & 0o777).to.equal(0o755);

    expect(postgresPlaceOf(wanted, { runAs, base })).to.deep.equal({ dir: place.dir, relocated: true, blockedBy: null });
    const other = preparePostgresPlace(path.join(secret, 'other-var', 'pg'), { runAs, base });
    expect(other.dir, 'two checkouts never share').to.not.equal(place.dir);
  });

  it('moves aside data whose link is gone (VAR_DIR deleted) instead of reusing it', () => {
    const secret = folder('private', 0o700);
    const wanted = path.join(secret, 'var', 'pg');
    const first = preparePostgresPlace(wanted, { runAs, base });
    fs.mkdirSync(first.dir);
    fs.writeFileSync(path.join(first.dir, 'PG_VERSION'), '18\n');
    fs.rmSync(path.join(secret, 'var'), { recursive: true });
    const logged: string[] = [];
    const again = preparePostgresPlace(wanted, { runAs, base }, (m) => logged.push(m));
    expect(again.dir).to.equal(first.dir);
    expect(fs.existsSync(again.dir)).to.equal(false);
    expect(logged.join()).to.match(/held data of an earlier .* moved it to .*orphaned-/);
    const aside = fs.readdirSync(base).find((n) => n.includes('.orphaned-'))!;
    expect(fs.existsSync(path.join(base, aside, 'pg', 'PG_VERSION'))).to.equal(true);
  });

  it('refuses data already in an unreachable folder, naming the folder and both fixes', () => {
    const secret = folder('private', 0o700);
    const wanted = path.join(secret, 'var', 'pg');
    fs.mkdirSync(wanted, { recursive: true });
    fs.writeFileSync(path.join(wanted, 'PG_VERSION'), '18\n');
    expect(() => preparePostgresPlace(wanted, { runAs, base }))
      .to.throw(EmbeddedDatabaseError, `(${secret} is private): open the way (chmod o+x ${secret}) or move it`)
      .with.property('reason', 'unreachable');
  });

  it('refuses a base the postgres user cannot reach either', () => {
    fs.chmodSync(work, 0o700);
    const wanted = path.join(folder('private', 0o700), 'var', 'pg');
    expect(() => preparePostgresPlace(wanted, { runAs, base }))
      .to.throw(EmbeddedDatabaseError, `the postgres OS user cannot reach ${path.join(base)}`)
      .with.property('reason', 'unreachable');
  });

  it('runs the package programs in place when reachable, else a copy under the base made once', () => {
    const fakeBuild = (parent: string) => {
      const nativeDir = path.join(parent, 'native');
      fs.mkdirSync(path.join(nativeDir, 'bin'), { recursive: true });
      fs.mkdirSync(path.join(nativeDir, 'lib'));
      fs.writeFileSync(path.join(nativeDir, 'bin', 'postgres'), '#!/bin/sh\necho postgres\n', { mode: 0o755 });
      fs.writeFileSync(path.join(nativeDir, 'lib', 'libpq.so.5.18'), 'lib');
      fs.symlinkSync('libpq.so.5.18', path.join(nativeDir, 'lib', 'libpq.so'));
      return { nativeDir, id: 'linux-x64-test' };
    };
    const open = fakeBuild(folder('open', 0o755));
    expect(postgresBinariesFor(open, { runAs, base })).to.equal(path.join(open.nativeDir, 'bin'));

    const hidden = fakeBuild(folder('private', 0o700));
    const bin = postgresBinariesFor(hidden, { runAs, base });
    expect(bin).to.equal(path.join(base, 'pg-native', 'linux-x64-test', 'bin'));
    expect(fs.readlinkSync(path.join(bin, '..', 'lib', 'libpq.so'))).to.equal('libpq.so.5.18');
    const made = fs.statSync(path.join(bin, 'postgres')).ino;
    expect(postgresBinariesFor(hidden, { runAs, base })).to.equal(bin);
    expect(fs.statSync(path.join(bin, 'postgres')).ino, 'copied again').to.equal(made);
  });
});
