/** The audit log: append-only, hash-chained (see audit.ts). No function changes or deletes rows. */
export {
  recordAudit,
  verifyAuditChain,
  listAudit,
  exportAudit,
  auditHead,
  rowHash,
  canonicalJson,
  isSecretKey,
  AUDIT_LIMITS,
  type AuditEntry,
  type AuditRow,
  type AuditResult,
  type AuditFilter,
  type AuditListFilter,
  type AuditVerification,
} from './audit.js';
export { toCsvLine, csvCell, AUDIT_CSV_HEADER } from './audit-csv.js';
export { CheckpointFile, writeCheckpoint, checkAgainstCheckpoint, defaultCheckpointFile, type Checkpoint, type CheckpointCheck, type Signer } from './checkpoint.js';
