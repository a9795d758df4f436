import { createServer } from 'http';
import type { AddressInfo } from 'net';
import { readJsonObject, replyJson } from '../http-json';

/**
 * A stand-in for the group's unified user system (统一用户中心): an HTTP/JSON
 * service in its own dialect (`code` "0" for success, `data`, its own field
 * names: uid, consNo, certStatus Y/N, requestSerial). Users are keyed by
 * mobile; every write carries a requestSerial and is applied once (a repeat
 * answers `dup: true` with the first answer), and the simulator counts what
 * it received per serial so tests can see "exactly once".
 */
export interface UsercenterUser {
  uid: string;
  mobile: string;
  alipayUid: string | null;
  certStatus: 'Y' | 'N';
  /** Where the user registered first: the group's app (seeded) or the life number (through the bus). */
  source: 'APP' | 'LIFE_NUMBER';
}

export interface UsercenterSimulator {
  url: string;
  /** A user who registered in the group's app; answers their uid. */
  seedAppUser(mobile: string): string;
  users(): UsercenterUser[];
  /** Accounts currently bound to a unified user, with the kind pushed. */
  bindingsOf(uid: string): Array<{ consNo: string; bindType: string }>;
  /** Write requests received per requestSerial (a resend counts again; applied is once). */
  receivedBySerial(): Map<string, number>;
  /** Serials applied, by path, in order. */
  applied(): Array<{ path: string; serial: string; body: Record<string, unknown> }>;
  /** The next `count` requests (to `path` only, when given) answer HTTP 500, after applying them when `afterApply` (a lost answer). */
  failNext(count: number, opts?: { afterApply?: boolean; path?: string }): void;
  close(): Promise<void>;
}



const MOBILE = /^1[0-9]{10}$/;

export async function startUsercenterSimulator(opts: { host?: string; port?: number } = {}): Promise<UsercenterSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const byMobile = new Map<string, UsercenterUser>();
  const byUid = new Map<string, UsercenterUser>();
  const bindings = new Map<string, Map<string, string>>();
  const received = new Map<string, number>();
  const answers = new Map<string, Record<string, unknown>>();
  const appliedLog: Array<{ path: string; serial: string; body: Record<string, unknown> }> = [];
  let nextUid = 1;
  let failing = 0;
  let failAfterApply = false;
  let failPath: string | null = null;

  const newUser = (mobile: string, source: UsercenterUser['source'], alipayUid: string | null, certStatus: 'Y' | 'N'): UsercenterUser => {
    const user: UsercenterUser = { uid: `UC${String(nextUid++).padStart(10, '0')}`, mobile, alipayUid, certStatus, source };
    byMobile.set(mobile, user);
    byUid.set(user.uid, user);
    return user;
  };

  /** A write applied once per serial; a repeat answers the first answer marked dup. */
  const once = (path: string, body: Record<string, unknown>, apply: () => { code: string; msg?: string; data?: Record<string, unknown> }) => {
    const serial = String(body.requestSerial ?? '');
    received.set(serial, (received.get(serial) ?? 0) + 1);
    const first = answers.get(serial);
    if (first) return { ...first, data: { ...(first.data as Record<string, unknown>), dup: true } };
    const answer = apply();
    if (answer.code === '0') {
      answers.set(serial, answer);
      appliedLog.push({ path, serial, body });
    }
    return { ...answer, data: { ...(answer.data ?? {}), dup: false } };
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (req.method !== 'POST') return replyJson(res, 405, { code: 'E405', msg: 'POST only' });
    const body = await readJsonObject(req);
    if (!body) return replyJson(res, 400, { code: 'E400', msg: 'body is not a JSON object' });
    const failNow = failing > 0 && (failPath === null || failPath === url.pathname);
    if (failNow) failing--;
    if (failNow && !failAfterApply) return replyJson(res, 500, { code: 'E500', msg: 'internal error' });
    let answer: Record<string, unknown>;
    switch (url.pathname) {
      case '/uc/user/query': {
        const mobile = String(body.mobile ?? '');
        if (!MOBILE.test(mobile)) answer = { code: 'E100', msg: 'mobile is not valid' };
        else {
          const user = byMobile.get(mobile);
          answer = { code: '0', data: { exists: user ? 'Y' : 'N', uid: user?.uid ?? null } };
        }
        break;
      }
      case '/uc/user/register': {
        const mobile = String(body.mobile ?? '');
        if (!MOBILE.test(mobile) || !body.requestSerial) answer = { code: 'E100', msg: 'mobile or requestSerial missing or not valid' };
        else
          answer = once(url.pathname, body, () => {
            const existing = byMobile.get(mobile);
            if (existing) {
              if (!existing.alipayUid && typeof body.alipayUid === 'string') existing.alipayUid = body.alipayUid;
              return { code: '0', data: { uid: existing.uid, existed: 'Y' } };
            }
            const user = newUser(mobile, 'LIFE_NUMBER', typeof body.alipayUid === 'string' ? body.alipayUid : null, body.certStatus === 'Y' ? 'Y' : 'N');
            return { code: '0', data: { uid: user.uid, existed: 'N' } };
          });
        break;
      }
      case '/uc/binding/push': {
        if (!body.requestSerial || !/^[0-9]{10}$/.test(String(body.consNo ?? '')) || !['BIND', 'UNBIND'].includes(String(body.op))) {
          answer = { code: 'E100', msg: 'requestSerial, consNo or op missing or not valid' };
          break;
        }
        answer = once(url.pathname, body, () => {
          const uid = String(body.uid ?? '');
          if (!byUid.has(uid)) return { code: 'E404', msg: 'no such uid' };
          const mine = bindings.get(uid) ?? new Map<string, string>();
          bindings.set(uid, mine);
          if (body.op === 'BIND') mine.set(String(body.consNo), String(body.bindType ?? ''));
          else mine.delete(String(body.consNo));
          return { code: '0', data: {} };
        });
        break;
      }
      case '/uc/user/realname': {
        if (!body.requestSerial || !['Y', 'N'].includes(String(body.certStatus))) {
          answer = { code: 'E100', msg: 'requestSerial or certStatus missing or not valid' };
          break;
        }
        answer = once(url.pathname, body, () => {
          const user = byUid.get(String(body.uid ?? ''));
          if (!user) return { code: 'E404', msg: 'no such uid' };
          user.certStatus = body.certStatus as 'Y' | 'N';
          return { code: '0', data: {} };
        });
        break;
      }
      default:
        return replyJson(res, 404, { code: 'E404', msg: `no route ${url.pathname}` });
    }
    if (failNow) return replyJson(res, 500, { code: 'E500', msg: 'internal error' });
    return replyJson(res, 200, answer);
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    seedAppUser: (mobile) => (byMobile.get(mobile) ?? newUser(mobile, 'APP', null, 'N')).uid,
    users: () => [...byUid.values()].map((u) => ({ ...u })),
    bindingsOf: (uid) => [...(bindings.get(uid) ?? new Map<string, string>()).entries()].map(([consNo, bindType]) => ({ consNo, bindType })),
    receivedBySerial: () => new Map(received),
    applied: () => appliedLog.map((a) => ({ ...a })),
    failNext: (count, o = {}) => {
      failing = count;
      failAfterApply = o.afterApply === true;
      failPath = o.path ?? null;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
