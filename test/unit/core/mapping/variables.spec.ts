import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { compileMappingFiles } from '../../../../core/mapping';
import { nodeVariables } from '../../../../core/mapping/variables';

const codes = { 'codes/sms-template.yaml': fs.readFileSync(path.resolve(__dirname, '../../../../mappings/codes/sms-template.yaml'), 'utf8') };

/** Our SMS operation, pointed at an endpoint named by a variable that is not one of ours. */
const op = (url: string) => fs.readFileSync(path.resolve(__dirname, '../../../../mappings/operations/sms.send.yaml'), 'utf8').replace('${SMS_URL}/sms/send', url);

describe('mapping variables - any ${NAME} in an operation resolves from the node', () => {
  it('fills a variable that is not one of ours from the node\'s values', () => {
    const { bundle, problems } = compileMappingFiles({ ...codes, 'operations/sms.send.yaml': op('${WATER_CO_URL}/api') }, nodeVariables({ WATER_CO_URL: 'http://water.example:8080' }, 'n1'));
    expect(problems).to.deep.equal([]);
    expect(JSON.stringify(bundle.operations.get('sms.send')!.endpoint)).to.contain('http://water.example:8080/api');
  });

  it('names the node and the setting when the value is missing', () => {
    const { problems } = compileMappingFiles({ ...codes, 'operations/sms.send.yaml': op('${WATER_CO_URL}') }, nodeVariables({}, 'worker-3'));
    expect(problems.map((p) => p.message)).to.include('variable WATER_CO_URL is not set on node worker-3: set GRIDBUS_VAR_WATER_CO_URL');
    const setting = compileMappingFiles({ ...codes, 'operations/sms.send.yaml': op('${MARKETING_WSDL_URL}') }, nodeVariables({}, 'worker-3', { MARKETING_WSDL_URL: 'MARKETING_WSDL_URL' }));
    expect(setting.problems.map((p) => p.message)).to.include('variable MARKETING_WSDL_URL is not set on node worker-3: set MARKETING_WSDL_URL');
  });
});
