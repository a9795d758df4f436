import { expect } from 'chai';
import { ServiceBroker } from 'moleculer';
import { renderPrometheus } from '../../../../core/metrics/prometheus-text';

type Snapshot = Parameters<typeof renderPrometheus>[0][number];

const lines = (text: string) => text.split('\n');

// Prometheus text exposition format 0.0.4, one regex per line kind.
const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_NAME = '[a-zA-Z_][a-zA-Z0-9_]*';
const LABEL_VALUE = '(?:[^"\\\\\\n]|\\\\[\\\\"n])*';
const LABELS = `\\{(?:${LABEL_NAME}="${LABEL_VALUE}"(?:,${LABEL_NAME}="${LABEL_VALUE}")*)?\\}`;
const NUMBER = '(?:[-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?|[-+]?Inf|NaN)';
const SAMPLE_RE = new RegExp(`^(${NAME})(${LABELS})? (${NUMBER})(?: -?\\d+)?$`);
const HELP_RE = new RegExp(`^# HELP (${NAME}) .*$`);
const TYPE_RE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

/** Checks the whole text line by line; returns the families declared, by name. */
function assertValidExposition(text: string): Map<string, string> {
  expect(text.endsWith('\n'), 'text ends with a newline').to.equal(true);
  const families = new Map<string, string>();
  let current: { name: string; type: string } | undefined;
  const body = text.slice(0, -1).split('\n');
  body.forEach((line, i) => {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    const type = TYPE_RE.exec(line);
    if (type) {
      expect(families.has(type[1]), `${where} declares ${type[1]} a second time`).to.equal(false);
      families.set(type[1], type[2]);
      current = { name: type[1], type: type[2] };
      return;
    }
    if (line.startsWith('#')) {
      expect(HELP_RE.test(line), `${where} is not a valid HELP line`).to.equal(true);
      return;
    }
    const sample = SAMPLE_RE.exec(line);
    expect(sample, `${where} is not a valid sample line`).to.not.equal(null);
    expect(current, `${where} has no TYPE before it`).to.not.equal(undefined);
    const name = sample![1];
    const allowed = current!.type === 'histogram'
      ? [`${current!.name}_bucket`, `${current!.name}_sum`, `${current!.name}_count`]
      : [current!.name];
    expect(allowed, `${where} does not belong to family ${current!.name}`).to.include(name);
  });
  return families;
}

describe('core/metrics - prometheus text', () => {
  it('renders a counter with HELP, TYPE and a labelled sample', () => {
    const text = renderPrometheus([
      { name: 'gridbus.calls.total', type: 'counter', description: 'Calls made', values: [{ value: 3, labels: { op: 'a' } }] },
    ]);
    expect(text).to.equal('# HELP gridbus_calls_total Calls made\n# TYPE gridbus_calls_total counter\ngridbus_calls_total{op="a"} 3\n');
  });

  it('renders a gauge without labels', () => {
    const text = renderPrometheus([{ name: 'queue.depth', type: 'gauge', values: [{ value: -2.5, labels: {} }] }]);
    expect(lines(text)).to.deep.equal(['# TYPE queue_depth gauge', 'queue_depth -2.5', '']);
  });

  it('renders one line per value set', () => {
    const text = renderPrometheus([
      { name: 'g', type: 'gauge', values: [{ value: 1, labels: { a: 'x' } }, { value: 2, labels: { a: 'y' } }] },
    ]);
    expect(lines(text)).to.deep.equal(['# TYPE g gauge', 'g{a="x"} 1', 'g{a="y"} 2', '']);
  });

  it('skips values that are missing or not finite', () => {
    const text = renderPrometheus([
      { name: 'g', type: 'gauge', values: [{ labels: {} }, { value: NaN, labels: { a: '1' } }, { value: Infinity, labels: { a: '2' } }, { value: 0, labels: { a: '3' } }] },
    ]);
    expect(lines(text)).to.deep.equal(['# TYPE g gauge', 'g{a="3"} 0', '']);
  });

  it('renders histogram buckets, +Inf, sum and count', () => {
    const text = renderPrometheus([
      {
        name: 'moleculer.request.time',
        type: 'histogram',
        description: 'Request times in milliseconds',
        values: [{ labels: { action: 'math.add' }, buckets: { 1: 1, 5: 3, 10: 4 }, count: 5, sum: 42.5 }],
      },
    ]);
    expect(lines(text)).to.deep.equal([
      '# HELP moleculer_request_time Request times in milliseconds',
      '# TYPE moleculer_request_time histogram',
      'moleculer_request_time_bucket{action="math.add",le="1"} 1',
      'moleculer_request_time_bucket{action="math.add",le="5"} 3',
      'moleculer_request_time_bucket{action="math.add",le="10"} 4',
      'moleculer_request_time_bucket{action="math.add",le="+Inf"} 5',
      'moleculer_request_time_sum{action="math.add"} 42.5',
      'moleculer_request_time_count{action="math.add"} 5',
      '',
    ]);
  });

  it('renders an empty histogram with zero count and sum', () => {
    const text = renderPrometheus([{ name: 'h', type: 'histogram', values: [{ labels: {} }] }]);
    expect(lines(text)).to.deep.equal(['# TYPE h histogram', 'h_bucket{le="+Inf"} 0', 'h_sum 0', 'h_count 0', '']);
  });

  it('renders info metrics as a gauge of 1 with the value as a label', () => {
    const text = renderPrometheus([{ name: 'os.hostname', type: 'info', values: [{ value: 'vm-1' as never, labels: {} }] }]);
    expect(lines(text)).to.deep.equal(['# TYPE os_hostname gauge', 'os_hostname{value="vm-1"} 1', '']);
  });

  it('escapes backslashes, quotes and newlines in label values', () => {
    const text = renderPrometheus([
      { name: 'g', type: 'gauge', values: [{ value: 1, labels: { path: 'C:\\dir', msg: 'say "hi"\nbye', both: '\\"' } }] },
    ]);
    expect(lines(text)[1]).to.equal('g{path="C:\\\\dir",msg="say \\"hi\\"\\nbye",both="\\\\\\""} 1');
    assertValidExposition(text);
  });

  it('masks credentials of URLs in label values (an adapter is named by its URL)', () => {
    const text = renderPrometheus([{ name: 'g', type: 'gauge', values: [{ value: 1, labels: { adapter: 'soap:http://svc:pw@h/x?wsdl&token=t' } }] }]);
    expect(lines(text)[1]).to.equal('g{adapter="soap:http://svc:***@h/x?wsdl&token=***"} 1');
  });

  it('turns dots, dashes and other characters in metric and label names into underscores', () => {
    const text = renderPrometheus([
      { name: 'moleculer.event.broadcast-local.total', type: 'counter', values: [{ value: 2, labels: { 'event.name': 'x' } }] },
    ]);
    expect(lines(text)).to.deep.equal([
      '# TYPE moleculer_event_broadcast_local_total counter',
      'moleculer_event_broadcast_local_total{event_name="x"} 2',
      '',
    ]);
  });

  it('keeps colons in metric names (allowed there) but not in label names (not allowed)', () => {
    const text = renderPrometheus([{ name: 'job:calls:rate', type: 'gauge', values: [{ value: 1, labels: { 'ns:key': 'v' } }] }]);
    expect(lines(text)[0]).to.equal('# TYPE job:calls:rate gauge');
    expect(lines(text)[1]).to.equal('job:calls:rate{ns_key="v"} 1');
  });

  it('keeps a HELP text on one line', () => {
    const text = renderPrometheus([{ name: 'g', type: 'gauge', description: 'first\nsecond', values: [] }]);
    expect(lines(text)[0]).to.equal('# HELP g first second');
  });

  it('drops null and undefined labels', () => {
    const text = renderPrometheus([{ name: 'c', type: 'counter', values: [{ value: 1, labels: { caller: null, a: undefined, b: 0 } }] }]);
    expect(lines(text)[1]).to.equal('c{b="0"} 1');
  });

  it('adds default labels, letting a metric label of the same name win', () => {
    const text = renderPrometheus([{ name: 'c', type: 'counter', values: [{ value: 1, labels: { node: 'own', a: 'x' } }, { value: 2, labels: {} }] }], { node: 'n1' });
    expect(lines(text).slice(1, 3)).to.deep.equal(['c{node="own",a="x"} 1', 'c{node="n1"} 2']);
  });

  it('renders a TYPE line for a metric with no values yet', () => {
    expect(renderPrometheus([{ name: 'c', type: 'counter', values: [] }])).to.equal('# TYPE c counter\n');
  });

  it('produces valid exposition text for a varied hand-written registry', () => {
    const metrics: Snapshot[] = [
      { name: 'a.b', type: 'counter', description: 'A', values: [{ value: 1, labels: { x: 'a"b' } }] },
      { name: 'c-d', type: 'gauge', values: [{ value: 1e21, labels: {} }, { value: -0.001, labels: { y: '\n' } }] },
      { name: 'e', type: 'histogram', values: [{ labels: { z: '\\' }, buckets: { 0.5: 1, 2.5: 2 }, count: 2, sum: 1.5 }] },
      { name: 'f', type: 'info', values: [{ value: 'x y' as never, labels: {} }] },
    ];
    const families = assertValidExposition(renderPrometheus(metrics, { node: 'n"1' }));
    expect([...families.keys()]).to.deep.equal(['a_b', 'c_d', 'e', 'f']);
  });

  describe('with a real Moleculer registry', () => {
    let broker: ServiceBroker;

    before(async () => {
      broker = new ServiceBroker({ logger: false, nodeID: 'unit-node', metrics: { enabled: true, reporter: [] } });
      broker.createService({
        name: 'math',
        actions: {
          add(ctx) {
            const { a, b } = ctx.params as { a: number; b: number };
            return a + b;
          },
        },
      });
      await broker.start();
      expect(await broker.call('math.add', { a: 1, b: 2 })).to.equal(3);
      await broker.call('math.add', { a: 2, b: 2 });
    });

    after(async () => {
      await broker.stop();
    });

    it('renders broker.metrics.list() as valid exposition text, line by line', () => {
      const text = renderPrometheus(broker.metrics.list() as never, { node: 'unit-node' });
      const families = assertValidExposition(text);
      expect(families.get('moleculer_request_total')).to.equal('counter');
      expect(families.get('moleculer_request_time')).to.equal('histogram');
      expect(families.get('process_memory_rss')).to.equal('gauge');
    });

    it('counts the calls made and reports them with service/action labels', () => {
      const text = renderPrometheus(broker.metrics.list() as never, { node: 'unit-node' });
      const line = lines(text).find((l) => l.startsWith('moleculer_request_total{') && l.includes('action="math.add"'));
      expect(line, 'a moleculer_request_total line for math.add').to.be.a('string');
      expect(line).to.contain('node="unit-node"');
      expect(line).to.contain('service="math"');
      expect(line).to.match(/ 2$/);
    });

    it('renders the request-time histogram with cumulative buckets ending at the count', () => {
      const text = renderPrometheus(broker.metrics.list() as never);
      const buckets = lines(text)
        .filter((l) => l.startsWith('moleculer_request_time_bucket{') && l.includes('action="math.add"'))
        .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
      expect(buckets.length).to.be.greaterThan(1);
      for (let i = 1; i < buckets.length; i++) expect(buckets[i]).to.be.at.least(buckets[i - 1]);
      expect(buckets[buckets.length - 1]).to.equal(2);
      const count = lines(text).find((l) => l.startsWith('moleculer_request_time_count{') && l.includes('action="math.add"'));
      expect(count).to.match(/ 2$/);
    });
  });
});
