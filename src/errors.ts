// One catalog of stable error codes (SIGWALL_ERR_*). Native errors arrive as {code, message}
// and become instances of SigwallError; docs/errors.md lists the same codes (a test checks).
export const ErrorCatalog = {
  SIGWALL_ERR_CAPTURE: 'A capture file could not be read (not pcap/pcapng, truncated or corrupt); the message names the offset.',
  SIGWALL_ERR_FILE: 'A file named on the command line or in the configuration could not be opened.',
  SIGWALL_ERR_USAGE: 'A command was called with missing or invalid arguments.',
  SIGWALL_ERR_OPTIONS: 'Decode options were invalid (e.g. an SSN outside 0..255).',
  SIGWALL_ERR_ADDON: 'The native addon could not be loaded (not built, or built for another Node ABI).',
  SIGWALL_ERR_POLICY: 'A policy is invalid (syntax, schema or references); one line per issue names the file, the rule and the path.',
  SIGWALL_ERR_TABLE: 'A compiled table image was refused by the data plane (corrupt, truncated, or built for another field registry); the message names the section and offset.',
  SIGWALL_ERR_POLICY_TOO_COMPLEX: 'A policy would compile to tables beyond the image budgets; the message names the phase or dimension and its size.',
  SIGWALL_ERR_CONFIG: 'The appliance configuration is invalid (syntax, schema, or a port, path or capability the machine does not have); one line per issue names the file, the path and the fix.',
  SIGWALL_ERR_ENGINE: 'The data plane could not start or failed while running (backend not built, interface gone, missing privilege, ring setup refused); the message names the port and the system error.',
  SIGWALL_ERR_BAD_REQUEST: 'A control API request was malformed or failed validation; the message names the field.',
  SIGWALL_ERR_UNAUTHORIZED: 'A control API request over TCP had no valid bearer token.',
  SIGWALL_ERR_NOT_FOUND: 'A control API route, policy version, list or event that does not exist was asked for.',
  SIGWALL_ERR_TOO_LARGE: 'A control API request body exceeded its size limit.',
  SIGWALL_ERR_CONFLICT: 'A control API change conflicts with the current state (e.g. another apply in progress, engine already running).',
  SIGWALL_ERR_STORE: 'The data directory (policy versions, audit log, events) could not be read or written; the message names the file.',
  SIGWALL_ERR_INTERNAL: 'An unexpected fault in the control API; the response carries no detail (the appliance log has it).',
} as const;

export type ErrorCode = keyof typeof ErrorCatalog;

export class SigwallError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'SigwallError';
    this.code = code;
    this.details = details;
  }
}

export class CaptureError extends SigwallError {
  readonly file: string | undefined;
  readonly offset: number;

  constructor(message: string, offset: number, file?: string) {
    super('SIGWALL_ERR_CAPTURE', file ? `${file}: ${message}` : message, { offset, file });
    this.name = 'CaptureError';
    this.offset = offset;
    this.file = file;
  }
}

// One problem in a policy: where it is (the file, the rule by name when inside one, the path
// from the policy's root, and the line when the source can tell) and what is wrong.
export interface PolicyIssue {
  readonly file: string;
  readonly rule?: string;
  // e.g. "rules[3].match.map.opcode[1]"; "" for the file as a whole.
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

export function formatPolicyIssue(issue: PolicyIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  const rule = issue.rule === undefined ? '' : `rule ${issue.rule}: `;
  const path = issue.path === '' ? '' : `${issue.path}: `;
  return `${where}: ${rule}${path}${issue.message}`;
}

// Every problem found in one policy, reported together so an operator fixes them in one pass.
export class PolicyError extends SigwallError {
  readonly issues: readonly PolicyIssue[];

  constructor(issues: readonly PolicyIssue[]) {
    super('SIGWALL_ERR_POLICY', issues.map(formatPolicyIssue).join('\n'), { issues });
    this.name = 'PolicyError';
    this.issues = Object.freeze([...issues]);
  }
}

// A valid policy whose compiled tables would exceed the image budgets (docs/table-format.md):
// the message names the phase or dimension and its size.
export class PolicyTooComplexError extends SigwallError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('SIGWALL_ERR_POLICY_TOO_COMPLEX', message, details);
    this.name = 'PolicyTooComplexError';
  }
}
