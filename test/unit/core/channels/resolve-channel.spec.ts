import { expect } from 'chai';
import * as path from 'path';
import { compileMappingFiles, readMappingFiles } from '../../../../core/mapping';
import { resolveChannel } from '../../../../core/channels/resolve-channel';
import { nodeVariables, substituteVariables } from '../../../../core/mapping/variables';

const shipped = readMappingFiles(path.resolve(__dirname, '../../../../mappings'));
const inputs = Object.fromEntries(Object.entries(shipped).filter(([f]) => /^(files|topics|codes)\//.test(f)));

const gasDrop = (extra = '') => `
channel: gas-co.meter-payments
version: 1
kind: sftp
sink: reconciliation-records
layout: \${GAS_LAYOUT:-marketing.b-reconciliation-delimited}
endpoint: { host: "\${GAS_HOST}", port: "\${GAS_PORT}", username: gas, directory: /out/pay, privateKeyFile: /keys/gas }
options: { delay: "\${GAS_POLL_MS:-750}", include: '.*\\.dat', readLockMinAge: 2000 }
${extra}`;

const compile = (channels: Record<string, string>) => compileMappingFiles({ ...inputs, ...channels }, {});

describe('channels - a definition resolved with a node\'s variables', () => {
  it('fills ${NAME} and ${NAME:-default}, typing a value made only of variables', () => {
    const { value, unset } = substituteVariables({ a: '${N}', b: 'x-${N}', c: '${M:-true}', d: '${E:-}' }, { N: '42' });
    expect(value).to.deep.equal({ a: 42, b: 'x-42', c: true, d: '' });
    expect(unset).to.deep.equal([]);
  });

  it('resolves a drop unlike ours: parts of the endpoint, numbers from variables, a default layout', () => {
    const { bundle, problems } = compile({ 'channels/gas.yaml': gasDrop() });
    expect(problems).to.deep.equal([]);
    const r = resolveChannel(bundle.channels.get('gas-co.meter-payments')!, bundle, nodeVariables({ GAS_HOST: 'sftp.gas.example', GAS_PORT: '2022' }, 'n1'));
    if (r.state !== 'ready') throw new Error(`not ready: ${JSON.stringify(r)}`);
    expect(r.channel.reads).to.equal('marketing.b-reconciliation-delimited');
    expect(r.channel.endpoint).to.include({ host: 'sftp.gas.example', port: 2022, directory: '/out/pay' });
    expect(r.channel.options).to.deep.equal({ delay: 750, include: '.*\\.dat', readLockMinAge: 2000 });
    expect(r.channel.sink.name).to.equal('reconciliation-records');
  });

  it('names every variable a node lacks, with the node and the setting to write', () => {
    const { bundle } = compile({ 'channels/gas.yaml': gasDrop() });
    const r = resolveChannel(bundle.channels.get('gas-co.meter-payments')!, bundle, nodeVariables({}, 'worker-2'));
    expect(r.state).to.equal('unresolved');
    if (r.state !== 'unresolved') return;
    expect(r.problems.map((p) => `${p.file}: ${p.path}: ${p.message}`)).to.deep.equal([
      "channels/gas.yaml: endpoint.host: channel 'gas-co.meter-payments': variable GAS_HOST is not set on node worker-2: set GRIDBUS_VAR_GAS_HOST",
      "channels/gas.yaml: endpoint.port: channel 'gas-co.meter-payments': variable GAS_PORT is not set on node worker-2: set GRIDBUS_VAR_GAS_PORT",
    ]);
  });

  it('is off (not an error) where a variable of activeWhenSet is not set', () => {
    const { bundle } = compile({ 'channels/gas.yaml': gasDrop('activeWhenSet: [GAS_HOST]') });
    const r = resolveChannel(bundle.channels.get('gas-co.meter-payments')!, bundle, nodeVariables({}, 'n1'));
    expect(r).to.deep.equal({ state: 'off', reason: 'off on this node: GAS_HOST not set (activeWhenSet)' });
  });

  it('does not resolve when a variable names a layout the release does not have', () => {
    const { bundle } = compile({ 'channels/gas.yaml': gasDrop() });
    const r = resolveChannel(bundle.channels.get('gas-co.meter-payments')!, bundle, nodeVariables({ GAS_HOST: 'h', GAS_PORT: '22', GAS_LAYOUT: 'marketing.reconciliation-fixd' }, 'n1'));
    expect(r.state).to.equal('unresolved');
    if (r.state === 'unresolved') expect(r.reason).to.contain("no layout 'marketing.reconciliation-fixd'").and.to.contain("did you mean 'marketing.reconciliation-fixed'");
  });

  it('refuses at validation a layout name nobody declares, an unknown sink, a sink of the other kind, and an unknown key', () => {
    const { problems } = compile({
      'channels/a.yaml': gasDrop().replace('${GAS_LAYOUT:-marketing.b-reconciliation-delimited}', 'marketing.reconciliation-fixd'),
      'channels/b.yaml': gasDrop().replace('gas-co.meter-payments', 'gas-co.b').replace('reconciliation-records', 'reconciliation-record'),
      'channels/c.yaml': gasDrop().replace('gas-co.meter-payments', 'gas-co.c').replace('reconciliation-records', 'daily-readings'),
      'channels/d.yaml': gasDrop().replace('gas-co.meter-payments', 'gas-co.d').replace('sink:', 'sinc: x\nsink:'),
    });
    const text = problems.map((p) => `${p.file}: ${p.path}: ${p.message}`);
    expect(text.find((t) => t.startsWith('channels/a.yaml: layout:'))).to.contain("channel 'gas-co.meter-payments' reads with layout 'marketing.reconciliation-fixd'").and.to.contain("did you mean 'marketing.reconciliation-fixed'");
    expect(text.find((t) => t.startsWith('channels/b.yaml: sink:'))).to.contain("unknown sink 'reconciliation-record' (did you mean 'reconciliation-records'?)");
    expect(text.find((t) => t.startsWith('channels/c.yaml: sink:'))).to.contain("sink 'daily-readings' takes records, a sftp channel delivers files");
    expect(text.find((t) => t.startsWith('channels/d.yaml'))).to.contain('sinc');
  });

  it('the shipped channels validate and are off where their settings are not given (the embedded default)', () => {
    const { bundle, problems } = compileMappingFiles(shipped, { MARKETING_WSDL_URL: 'http://x', SMS_URL: 'http://y', USERCENTER_URL: 'http://z' });
    expect(problems).to.deep.equal([]);
    expect([...bundle.channels.keys()].sort()).to.deep.equal(['collection.day-read', 'datacenter.outage-bulletins', 'marketing.reconciliation']);
    for (const c of bundle.channels.values()) expect(resolveChannel(c, bundle, nodeVariables({}, 'n1')).state).to.equal('off');
  });
});
