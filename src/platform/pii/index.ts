/** Personal-data toolkit: validation, masking, key ring, field encryption and blind indexes. */
export { validateNationalId, assertNationalId, nationalIdCheckChar } from './national-id.js';
export type { NationalIdResult, NationalIdOptions } from './national-id.js';
export { normalizePhone, assertPhone } from './phone.js';
export { maskNationalId, maskPhone, maskName } from './mask.js';
export { loadKeyRing, deriveBlindIndexKey, DEV_KEY_FILE } from './keys.js';
export type { KeyRing, LoadKeyRingOptions } from './keys.js';
export { createFieldCrypto } from './field-crypto.js';
export type { FieldCrypto } from './field-crypto.js';
export { redactPersonalData, REDACTED } from './redact.js';
