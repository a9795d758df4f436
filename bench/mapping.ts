/**
 * Mapping throughput: one realistic bill response (nested, yuan strings,
 * dates, code table, masking, a list of 12 bills, a total) mapped to the
 * canonical shape three ways in one run:
 *   1. the mapping engine (core/mapping: the definition compiled to one
 *      generated JavaScript function, core/mapping/codegen),
 *   2. the same mapping written as one JSONata expression,
 *   3. a hand-written TypeScript function (the baseline).
 * Prints records/s for each and the ratios. Asserts nothing about time.
 *
 *   npx ts-node --transpile-only bench/mapping.ts [records]
 *   BENCH_SOURCE=1 ...   also prints the generated source of the mapping
 */
import jsonata from 'jsonata';
import { FieldSpec, compileObject } from '../core/mapping/field-compiler';
import { generateObjectMapper } from '../core/mapping/codegen/generate-map';
import { loadCodeTableText } from '../core/mapping/code-tables';
import { yuanToFen } from '../core/mapping/money';
import { maskName } from '../core/crypto';

const N = Number(process.argv[2] ?? 200_000);

function sample(i: number) {
  return {
    RspHeader: { RspCode: 'AAAAAAA', RspDesc: 'ok' },
    RspBody: {
      CustInfo: { Basic: { CustNo: String(3301000000 + (i % 1000)), CustName: '欧阳明辉' } },
      ArrearsInfo: {
        BillList: {
          Bill: Array.from({ length: 12 }, (_, m) => ({
            Period: `2025-${String(m + 1).padStart(2, '0')}`,
            AmtDue: `${(i % 500) + m}.${String((i + m) % 100).padStart(2, '0')}`,
            LateFee: m % 3 === 0 ? '1.25' : '0',
            PayState: m % 2 ? 'N' : 'P',
            IssuedAt: `2025${String(m + 1).padStart(2, '0')}05083000`,
          })),
        },
      },
    },
  };
}

const codes = new Map([['pay-state', loadCodeTableText('table: pay-state\nvalues: { N: UNPAID, P: PARTLY_PAID }\n', 'codes/pay-state.yaml')]]);

const SPECS: Record<string, FieldSpec> = {
  accountNo: { from: 'RspBody.CustInfo.Basic.CustNo', required: true },
  holderName: { from: 'RspBody.CustInfo.Basic.CustName', mask: 'name' },
  items: {
    each: 'RspBody.ArrearsInfo.BillList.Bill',
    map: {
      billMonth: { from: 'Period', date: { in: 'yyyy-MM', out: 'yyyyMM' } },
      amountFen: { from: 'AmtDue', money: { in: 'yuan' }, required: true },
      lateFeeFen: { from: 'LateFee', money: { in: 'yuan' }, default: 0 },
      status: { from: 'PayState', code: 'pay-state' },
      issuedAt: { from: 'IssuedAt', date: { in: 'yyyyMMddHHmmss', tz: 'Asia/Shanghai' } },
    },
  },
  totalFen: { sum: ['$out.items[].amountFen', '$out.items[].lateFeeFen'] },
};
const engine = compileObject(SPECS, '', { codes });

// The same mapping in JSONata. Money is converted through $round(x*100), which is what people write; dates through $substring.
const expression = jsonata(`{
  "accountNo": RspBody.CustInfo.Basic.CustNo,
  "holderName": $substring(RspBody.CustInfo.Basic.CustName, 0, 1) & "***",
  "items": [RspBody.ArrearsInfo.BillList.Bill.{
    "billMonth": $replace(Period, "-", ""),
    "amountFen": $round($number(AmtDue) * 100),
    "lateFeeFen": $round($number(LateFee) * 100),
    "status": PayState = "N" ? "UNPAID" : "PARTLY_PAID",
    "issuedAt": $substring(IssuedAt,0,4) & "-" & $substring(IssuedAt,4,2) & "-" & $substring(IssuedAt,6,2) & "T" & $substring(IssuedAt,8,2) & ":" & $substring(IssuedAt,10,2) & ":" & $substring(IssuedAt,12,2) & "+08:00"
  }],
  "totalFen": $round($sum(RspBody.ArrearsInfo.BillList.Bill.($number(AmtDue) + $number(LateFee))) * 100)
}`);

const STATUS: Record<string, string> = { N: 'UNPAID', P: 'PARTLY_PAID' };
function handWritten(body: ReturnType<typeof sample>) {
  const basic = body.RspBody.CustInfo.Basic;
  const bills = body.RspBody.ArrearsInfo.BillList.Bill;
  let total = 0;
  const items = bills.map((b) => {
    const amountFen = yuanToFen(b.AmtDue);
    const lateFeeFen = b.LateFee ? yuanToFen(b.LateFee) : 0;
    total += amountFen + lateFeeFen;
    const t = b.IssuedAt;
    return {
      billMonth: b.Period.replace('-', ''),
      amountFen,
      lateFeeFen,
      status: STATUS[b.PayState],
      issuedAt: `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}+08:00`,
    };
  });
  return { accountNo: basic.CustNo, holderName: maskName(basic.CustName), items, totalFen: total };
}

async function measure(name: string, records: number, fn: (b: ReturnType<typeof sample>) => unknown): Promise<number> {
  const inputs = Array.from({ length: 1000 }, (_, i) => sample(i));
  for (let i = 0; i < 2000; i++) await fn(inputs[i % 1000]); // warm-up
  const started = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < records; i++) {
    const out = (await fn(inputs[i % 1000])) as { totalFen: number };
    sink += out.totalFen;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rate = records / seconds;
  console.log(`${name.padEnd(28)} ${Math.round(rate).toLocaleString('en-US').padStart(12)} records/s   (${records.toLocaleString('en-US')} in ${seconds.toFixed(2)} s, checksum ${sink})`);
  return rate;
}

async function main() {
  // The three must agree on the canonical fields before their speed means anything.
  const probe = sample(7);
  const a = engine(probe, {}) as ReturnType<typeof handWritten>;
  const b = handWritten(probe);
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`engine and hand-written disagree:\n${JSON.stringify(a)}\n${JSON.stringify(b)}`);
  const j = (await expression.evaluate(probe)) as ReturnType<typeof handWritten>;
  if (j.totalFen !== b.totalFen || j.items[3].amountFen !== b.items[3].amountFen) throw new Error('JSONata and hand-written disagree');

  if (process.env.BENCH_SOURCE === '1') console.log(generateObjectMapper(SPECS, '', { codes }).source);
  console.log(`mapping benchmark: a 12-bill response to the canonical arrears shape, node ${process.version}`);
  const hand = await measure('hand-written TypeScript', N, handWritten);
  const compiled = await measure('compiled mapping engine', N, (x) => engine(x, {}));
  const jsonataRate = await measure('JSONata (same mapping)', Math.max(2000, Math.round(N / 20)), (x) => expression.evaluate(x));
  console.log(`\nengine / hand-written: ${(compiled / hand).toFixed(2)}x (hand-written is ${(hand / compiled).toFixed(2)}x faster; aim: within 2x)`);
  console.log(`engine / JSONata:      ${(compiled / jsonataRate).toFixed(1)}x faster`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
