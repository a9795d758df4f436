/** Dialect A's RetCodes (four digits; 0000 is success). */
export const RET_OK = '0000';
export const RET_NOT_FOUND = '1001';
/** The Serial was applied before: nothing changed now ("already done"). */
export const RET_DUPLICATE_SERIAL = '2001';
/** More than the account owes (write-off) or than is left of the original (reversal). */
export const RET_AMOUNT_EXCEEDS = '3001';
/** The account is closed (销户): no write-off. */
export const RET_ACCOUNT_CLOSED = '3002';
/** ReverseWriteOff: no applied write-off has OrigSerial. */
export const RET_ORIGINAL_NOT_FOUND = '4001';
/** ReverseWriteOff: refused (ConsNo is not the original's account). */
export const RET_REVERSAL_NOT_ALLOWED = '4002';
/** GetBillDetail: the account has no bill for BillMonth. */
export const RET_BILL_NOT_FOUND = '1003';
