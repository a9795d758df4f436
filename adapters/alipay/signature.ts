// The signing rules live in core/crypto (the gateway verifies notifications with them too).
export * from '../../core/crypto/alipay-signature';
