import { Payload, failure } from './answers';

/**
 * Injected faults, per OpenAPI method: a failure answer for the next calls
 * (before or after the method did its work), and a slow answer. The request
 * signature is still checked first: a fault is Alipay's answer to a valid call.
 */
export interface FaultSpec {
  /** e.g. ACQ.SYSTEM_ERROR, isp.unknow-error, ACQ.BUYER_BALANCE_NOT_ENOUGH. */
  subCode: string;
  /** Defaults to 20000 for isp.* / aop.* sub codes, else 40004. */
  code?: string;
  subMsg?: string;
  /** How many calls in a row answer so; 1 by default. */
  times?: number;
  /**
   * Do the work, then answer the failure: Alipay refunded or paid but the
   * answer says it failed (an unknown outcome for the caller). False by
   * default: nothing is done.
   */
  applied?: boolean;
}

const SUB_MESSAGES: Record<string, string> = {
  'ACQ.SYSTEM_ERROR': '系统错误',
  'isp.unknow-error': '服务暂不可用',
  'aop.ACQ.SYSTEM_ERROR': '系统繁忙',
};

export interface PlannedFault {
  payload: Payload;
  applied: boolean;
}

export class FaultPlan {
  private readonly failures = new Map<string, Array<Required<Pick<FaultSpec, 'subCode' | 'applied'>> & { code: string; subMsg: string; left: number }>>();
  private readonly delays = new Map<string, number>();

  failNext(method: string, spec: FaultSpec): void {
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error('failNext: times must be a positive integer');
    const code = spec.code ?? (/^(isp|aop)\./.test(spec.subCode) ? '20000' : '40004');
    const list = this.failures.get(method) ?? [];
    list.push({ subCode: spec.subCode, code, subMsg: spec.subMsg ?? SUB_MESSAGES[spec.subCode] ?? spec.subCode, applied: spec.applied ?? false, left: times });
    this.failures.set(method, list);
  }

  /** Every answer of `method` waits `ms` (after the work is done); null ends it. */
  delayMethod(method: string, ms: number | null): void {
    if (ms === null || ms <= 0) this.delays.delete(method);
    else this.delays.set(method, ms);
  }

  /** The fault planned for this call of `method`, consumed. */
  take(method: string): PlannedFault | null {
    const list = this.failures.get(method);
    const next = list?.[0];
    if (!next) return null;
    if (--next.left <= 0) list!.shift();
    return { payload: failure(next.code, next.subCode, next.subMsg), applied: next.applied };
  }

  delayOf(method: string): number {
    return this.delays.get(method) ?? 0;
  }

  clear(): void {
    this.failures.clear();
    this.delays.clear();
  }
}
