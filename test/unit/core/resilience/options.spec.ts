import Ajv from 'ajv';
import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import { RESILIENCE_SCHEMA, mergeResilience, parseDuration, parseResilience } from '../../../../core/resilience';

const EXAMPLE = `{ timeout: 3s, retries: { max: 2, backoff: exponential, base: 200ms },
  breaker: { failureRatio: 0.5, minRequests: 20, window: 60s, halfOpenAfter: 10s },
  bulkhead: { concurrency: 20, queue: 100 } }`;

function errorOf(block: unknown, where?: string): string {
  try {
    parseResilience(block, where);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected parseResilience to throw');
}

describe('core/resilience - durations', () => {
  it('duration - parses ms, s, m, h, decimals and plain milliseconds', () => {
    expect(parseDuration('200ms')).to.equal(200);
    expect(parseDuration('3s')).to.equal(3_000);
    expect(parseDuration('1.5s')).to.equal(1_500);
    expect(parseDuration('1m')).to.equal(60_000);
    expect(parseDuration('2h')).to.equal(7_200_000);
    expect(parseDuration(250)).to.equal(250);
    expect(parseDuration(0)).to.equal(0);
  });

  it('duration - errors name the setting and the bad value', () => {
    expect(() => parseDuration('3x', 'resilience.timeout')).to.throw("resilience.timeout: invalid duration '3x'");
    expect(() => parseDuration('3 s', 'x')).to.throw("x: invalid duration '3 s'");
    expect(() => parseDuration('', 'x')).to.throw("x: invalid duration ''");
    expect(() => parseDuration('-1s', 'x')).to.throw("x: invalid duration '-1s'");
    expect(() => parseDuration(-5, 'x')).to.throw('x: invalid duration -5');
    expect(() => parseDuration(true, 'x')).to.throw('x: invalid duration true');
    expect(() => parseDuration('30d', 'x')).to.throw("x: invalid duration '30d'");
    expect(() => parseDuration('600h', 'x')).to.throw('x: duration "600h" is too long');
  });
});

describe('core/resilience - parseResilience', () => {
  it('parse - the example block becomes typed options in milliseconds', () => {
    expect(parseResilience(parseYaml(EXAMPLE))).to.deep.equal({
      timeout: 3_000,
      retries: { max: 2, backoff: 'exponential', base: 200 },
      breaker: { failureRatio: 0.5, minRequests: 20, window: 60_000, halfOpenAfter: 10_000 },
      bulkhead: { concurrency: 20, queue: 100 },
    });
  });

  it('parse - shorthands: retries as a number, false to switch off, absent block', () => {
    expect(parseResilience({ retries: 3 })).to.deep.equal({ retries: { max: 3 } });
    expect(parseResilience({ timeout: false, retries: false, breaker: false, bulkhead: false }))
      .to.deep.equal({ timeout: false, retries: false, breaker: false, bulkhead: false });
    expect(parseResilience(undefined)).to.deep.equal({});
    expect(parseResilience({ breaker: {} })).to.deep.equal({ breaker: {} });
  });

  it('parse - errors name the path of the bad setting', () => {
    expect(errorOf({ breaker: { failureRatio: 1.5 } })).to.equal('resilience.breaker.failureRatio: must be between 0 and 1');
    expect(errorOf({ breaker: { failureRatio: '50%' } })).to.equal('resilience.breaker.failureRatio: must be between 0 and 1');
    expect(errorOf({ breaker: { minRequests: 0 } })).to.equal('resilience.breaker.minRequests: must be at least 1');
    expect(errorOf({ breaker: { window: '0s' } })).to.equal('resilience.breaker.window: must be greater than 0');
    expect(errorOf({ breaker: { halfOpenAfter: 'soon' } })).to.match(/^resilience\.breaker\.halfOpenAfter: invalid duration 'soon'/);
    expect(errorOf({ breaker: { threshold: 0.5 } })).to.match(/^resilience\.breaker\.threshold: unknown setting/);
    expect(errorOf({ timeout: '3x' })).to.match(/^resilience\.timeout: invalid duration '3x'/);
    expect(errorOf({ timeout: 0 })).to.equal('resilience.timeout: must be greater than 0');
    expect(errorOf({ retries: { max: 11 } })).to.equal('resilience.retries.max: must be between 0 and 10');
    expect(errorOf({ retries: 1.5 })).to.equal('resilience.retries: must be an integer (got 1.5)');
    expect(errorOf({ retries: { backoff: 'linear' } })).to.equal('resilience.retries.backoff: must be fixed or exponential (got "linear")');
    expect(errorOf({ retries: { base: '1s', maxDelay: '500ms' } })).to.equal('resilience.retries.maxDelay: must not be less than base');
    expect(errorOf({ retries: { jitter: 'full' } })).to.equal('resilience.retries.jitter: must be true or false');
    expect(errorOf({ bulkhead: { concurrency: 0 } })).to.equal('resilience.bulkhead.concurrency: must be at least 1');
    expect(errorOf({ bulkhead: { queue: -1 } })).to.equal('resilience.bulkhead.queue: must be at least 0');
    expect(errorOf({ bulkhead: 20 })).to.equal('resilience.bulkhead: must be a mapping (or false to switch it off)');
    expect(errorOf({ retry: 2 })).to.match(/^resilience\.retry: unknown setting \(expected one of timeout, retries, breaker, bulkhead\)/);
    expect(errorOf('fast')).to.match(/^resilience: must be a mapping/);
    expect(errorOf({ timeout: 'x' }, 'defaults.resilience')).to.match(/^defaults\.resilience\.timeout: /);
  });

  it('schema - RESILIENCE_SCHEMA accepts what parseResilience accepts and refuses the same typos', () => {
    const validate = new Ajv({ strict: false }).compile(RESILIENCE_SCHEMA);
    for (const ok of [parseYaml(EXAMPLE), { retries: 2 }, { timeout: 1500 }, { breaker: false }, { retries: { base: '1.5s', jitter: true } }]) {
      expect(validate(ok), JSON.stringify(ok)).to.equal(true);
      expect(() => parseResilience(ok)).not.to.throw();
    }
    for (const bad of [
      { breaker: { failureRatio: 2 } }, { timeout: '3 seconds' }, { breaker: { threshold: 1 } }, { retries: { max: 11 } },
      { bulkhead: { concurrency: 0 } }, { extra: true }, { retries: { backoff: 'linear' } }, { timeout: -1 },
    ]) {
      expect(validate(bad), JSON.stringify(bad)).to.equal(false);
      expect(() => parseResilience(bad), JSON.stringify(bad)).to.throw();
    }
  });
});

describe('core/resilience - mergeResilience', () => {
  it('merge - broker-wide defaults, then the operation; settings merge per policy; false switches off', () => {
    const brokerWide = parseResilience({ timeout: '10s', retries: { base: '100ms', maxDelay: '2s' }, breaker: { window: '30s' }, bulkhead: { concurrency: 50 } });
    const operation = parseResilience({ timeout: '3s', retries: { max: 4 }, breaker: { minRequests: 5 }, bulkhead: false });
    expect(mergeResilience(brokerWide, undefined, operation)).to.deep.equal({
      timeout: 3_000,
      retries: { base: 100, maxDelay: 2_000, max: 4 },
      breaker: { window: 30_000, minRequests: 5 },
      bulkhead: false,
    });
    expect(mergeResilience({ breaker: false }, { breaker: { minRequests: 3 } })).to.deep.equal({ breaker: { minRequests: 3 } });
    expect(mergeResilience()).to.deep.equal({});
  });
});
