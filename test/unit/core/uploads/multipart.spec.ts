import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PassThrough, Readable } from 'stream';
import { GridbusError } from '../../../../core/errors';
import { MultipartLimits, readMultipart } from '../../../../core/uploads/multipart';
import { UploadStore } from '../../../../core/uploads/upload-store';

const LIMITS: MultipartLimits = { fileBytes: 1000, files: 2, fieldBytes: 100, fields: 5 };

async function bodyOf(form: FormData): Promise<Buffer> {
  return Buffer.from(await new Response(form).arrayBuffer());
}
/** The body in chunks of `size` bytes, as a slow client sends it. */
const streamOf = (body: Buffer, size = body.length) => Readable.from(Array.from({ length: Math.ceil(body.length / size) }, (_, i) => body.subarray(i * size, (i + 1) * size)));

async function refusal(promise: Promise<unknown>): Promise<GridbusError> {
  try {
    await promise;
  } catch (err) {
    return err as GridbusError;
  }
  throw new Error('expected a refusal');
}

describe('uploads - multipart/form-data reading and the upload store', () => {
  it('uploads - fields and files are read, the boundary taken from the first line even when it arrives byte by byte', async () => {
    const form = new FormData();
    form.append('kind', 'FEEDBACK');
    form.append('content', '电表箱门坏了');
    form.append('photos', new Blob([Buffer.from('first photo')], { type: 'image/png' }), '../../etc/passwd');
    form.append('photos', new Blob([Buffer.alloc(1000, 7)]), 'b.jpg');
    const body = await bodyOf(form);
    for (const size of [body.length, 1, 7]) {
      const read = await readMultipart(streamOf(body, size), LIMITS);
      expect(read.fields).to.deep.equal({ kind: 'FEEDBACK', content: '电表箱门坏了' });
      expect(read.files.map((f) => [f.field, f.data.length])).to.deep.equal([['photos', 11], ['photos', 1000]]);
      expect(read.files[0].data.toString()).to.equal('first photo');
    }
  });

  it('uploads - a file over the size limit, too many files, a long field or a repeated field are refused with their codes', async () => {
    const big = new FormData();
    big.append('photos', new Blob([Buffer.alloc(1001)]), 'a.jpg');
    expect((await refusal(readMultipart(streamOf(await bodyOf(big), 64), LIMITS))).type).to.equal('PAYLOAD_TOO_LARGE');

    const many = new FormData();
    for (let i = 0; i < 3; i++) many.append('photos', new Blob([Buffer.from('x')]), `${i}.jpg`);
    const err = await refusal(readMultipart(streamOf(await bodyOf(many)), LIMITS));
    expect(err.type).to.equal('PAYLOAD_TOO_LARGE');
    expect(err.message).to.match(/Too many photos \(at most 2/);

    const long = new FormData();
    long.append('content', 'x'.repeat(101));
    expect((await refusal(readMultipart(streamOf(await bodyOf(long)), LIMITS))).type).to.equal('PAYLOAD_TOO_LARGE');

    const twice = new FormData();
    twice.append('kind', 'FEEDBACK');
    twice.append('kind', 'COMPLAINT');
    expect((await refusal(readMultipart(streamOf(await bodyOf(twice)), LIMITS))).type).to.equal('VALIDATION_FAILED');
  });

  it('uploads - a body that is not multipart, or is empty, is malformed', async () => {
    for (const text of ['{"kind":"FEEDBACK"}', '', 'x'.repeat(500), '--\r\n']) {
      const err = await refusal(readMultipart(streamOf(Buffer.from(text)), LIMITS));
      expect(err.type, text.slice(0, 20)).to.equal('MALFORMED_REQUEST');
    }
  });

  it('uploads - after a refusal the rest of the body is still read (the client gets its answer)', async () => {
    const big = new FormData();
    big.append('photos', new Blob([Buffer.alloc(5000)]), 'a.jpg');
    const body = await bodyOf(big);
    const stream = new PassThrough();
    const refused = refusal(readMultipart(stream, LIMITS));
    stream.write(body.subarray(0, 2000));
    expect((await refused).type).to.equal('PAYLOAD_TOO_LARGE');
    stream.end(body.subarray(2000));
    await new Promise((resolve) => stream.on('end', resolve));
  });

  it('uploads - the store names files yyyy/mm/<random>.<ext> under its root, 0600, and refuses any other path', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-uploads-'));
    try {
      const store = new UploadStore(root);
      const rel = await store.save(Buffer.from('img'), 'jpg', new Date(Date.UTC(2026, 2, 9)));
      expect(rel).to.match(/^2026\/03\/[0-9a-f]{32}\.jpg$/);
      expect((fs.statSync(path.join(root, rel)).mode & 0o777).toString(8)).to.equal('600');
      expect((await store.read(rel)).toString()).to.equal('img');
      expect(fs.readdirSync(path.join(root, '2026', '03'))).to.have.length(1); // no temporary file left
      expect(() => store.read('../../etc/passwd')).to.throw(/not a stored upload path/);
      await store.remove([rel]);
      expect(fs.existsSync(path.join(root, rel))).to.equal(false);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
