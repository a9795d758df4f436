import { expect } from 'chai';
import { loadConfig } from '../../../config';

describe('config - mapping variables (GRIDBUS_VAR_<NAME>)', () => {
  it('reads GRIDBUS_VAR_<NAME> as NAME, and the channel settings of earlier versions with their defaults', () => {
    const c = loadConfig({ GRIDBUS_VAR_SFTP_PARTNER_HOST: 'sftp.partner.example', RECON_SFTP_URL: 'sftp://u@h/in' });
    expect(c.variables).to.include({ SFTP_PARTNER_HOST: 'sftp.partner.example', RECON_SFTP_URL: 'sftp://u@h/in', RECON_FILE_LAYOUT: 'marketing.reconciliation-fixed', COLLECTION_TOPIC: 'e_mp_day_read' });
    expect(c.variables).to.not.have.property('KAFKA_BROKERS');
  });

  it('refuses a variable name that is not upper case, and a GRIDBUS_VAR_ of a setting, saying what to write', () => {
    expect(() => loadConfig({ GRIDBUS_VAR_partner_host: 'x' })).to.throw(/GRIDBUS_VAR_partner_host is not a variable name: write GRIDBUS_VAR_ then upper-case/);
    expect(() => loadConfig({ GRIDBUS_VAR_RECON_SFTP_URL: 'sftp://u@h/x' })).to.throw(/RECON_SFTP_URL is a setting of its own: set RECON_SFTP_URL instead/);
  });
});
