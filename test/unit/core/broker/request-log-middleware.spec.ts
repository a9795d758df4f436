import { expect } from 'chai';
import { GridbusError } from '../../../../core/errors';
import { requestLogMiddleware } from '../../../../core/broker/request-log-middleware';

type Wrap = (next: (ctx: unknown) => Promise<unknown>, action: { name: string }) => (ctx: unknown) => Promise<unknown>;

function run(info: boolean, outcome: 'ok' | 'refused' | 'failed') {
  const lines: string[] = [];
  const logger = { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`) };
  const wrap = (requestLogMiddleware({ info }) as unknown as { localAction: Wrap }).localAction;
  const next = async () => {
    if (outcome === 'refused') throw new GridbusError('ACCOUNT_NOT_FOUND', 'no');
    if (outcome === 'failed') throw new GridbusError('BACKEND_UNAVAILABLE', 'down');
    return 'ok';
  };
  const handler = wrap(next, { name: 'billing.getArrears' });
  return handler({ requestID: 'req-7', service: { logger } }).then(
    () => lines,
    () => lines,
  );
}

describe('core/broker - request log: one line per action call with the request id', () => {
  it('at info: every call, refusals at info, our failures at warn', async () => {
    expect(await run(true, 'ok')).to.satisfy((l: string[]) => l.length === 1 && /^info req=req-7 action=billing.getArrears outcome=ok ms=\d/.test(l[0]));
    expect((await run(true, 'refused'))[0]).to.match(/^info req=req-7 .* outcome=ACCOUNT_NOT_FOUND/);
    expect((await run(true, 'failed'))[0]).to.match(/^warn req=req-7 .* outcome=BACKEND_UNAVAILABLE/);
  });

  it('above info: nothing for answered or refused calls, still a warning for our failures', async () => {
    expect(await run(false, 'ok')).to.deep.equal([]);
    expect(await run(false, 'refused')).to.deep.equal([]);
    expect((await run(false, 'failed'))[0]).to.match(/^warn req=req-7 action=billing.getArrears outcome=BACKEND_UNAVAILABLE ms=\d/);
  });
});
