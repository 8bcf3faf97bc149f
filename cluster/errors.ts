/**
 * Failures talking to the Proxmox API, turned into domain errors in the shape of `SpecError`:
 * what was wrong (a variable, a request), the offending value, and the fix. Secrets never appear
 * in them: the token secret and the password are not part of any message or JSON.
 */
import { ExitCode, PvestackError, showValue } from '../model';

/** Base of every API error: `what: problem (got value). hint`. */
export abstract class ClusterApiError extends PvestackError {
  /** Short machine-readable kind for `--json` (`ApiAuth`, `ApiPermission`, ...). */
  abstract readonly kind: string;
  readonly hasValue: boolean;
  constructor(
    /** The variable or request the error is about, e.g. `PROXMOX_VE_ENDPOINT`, `GET /nodes`. */
    readonly what: string,
    readonly problem: string,
    readonly value: unknown,
    readonly hint: string,
  ) {
    super('');
    this.hasValue = value !== undefined;
    this.message = `${what}: ${problem}${this.hasValue ? ` (got ${showValue(value)})` : ''}. ${hint}`;
  }
  toJSON(): Record<string, unknown> {
    return { error: this.kind, what: this.what, problem: this.problem, ...(this.hasValue ? { value: this.value } : {}), hint: this.hint };
  }
}

/** A connection variable is missing or malformed. */
export class ConnectionConfigError extends ClusterApiError {
  readonly kind = 'ConnectionConfig';
  readonly exitCode = ExitCode.userError;
}

/** 401: the token or password was refused. */
export class ApiAuthError extends ClusterApiError {
  readonly kind = 'ApiAuth';
  readonly exitCode = ExitCode.userError;
}

/** 403: the credentials lack a privilege on an ACL path; both are named when Proxmox says them. */
export class ApiPermissionError extends ClusterApiError {
  readonly kind = 'ApiPermission';
  readonly exitCode = ExitCode.userError;
  constructor(
    what: string,
    /** The ACL path Proxmox checked, e.g. `/nodes/pve1`. */
    readonly aclPath: string | undefined,
    /** The privileges it wanted, e.g. `['Sys.Audit']`. */
    readonly privileges: readonly string[],
    reason: string,
  ) {
    super(
      what,
      aclPath ? `permission denied: the credentials lack ${privileges.join(' or ')} on ${aclPath}` : 'permission denied',
      reason,
      aclPath
        ? `Grant it, e.g. \`pveum acl modify ${aclPath} --tokens <user@realm!tokenid> --roles PVEAuditor\` (doctor, discover and import only read; privilege separation needs the role on the token itself, not only on its user).`
        : 'Grant the token (and its user) the PVEAuditor role on / for read-only commands.',
    );
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), aclPath: this.aclPath ?? null, privileges: this.privileges };
  }
}

/** The TLS certificate could not be verified (self-signed, unknown CA, wrong host name). */
export class ApiTlsError extends ClusterApiError {
  readonly kind = 'ApiTls';
  readonly exitCode = ExitCode.userError;
}

/** No answer: refused, unknown host, unreachable network, or a timeout. */
export class ApiUnreachableError extends ClusterApiError {
  readonly kind = 'ApiUnreachable';
  readonly exitCode = ExitCode.failure;
}

/** Something answered, but it is not the Proxmox VE API (HTML, 404, an unknown path). */
export class ApiWrongEndpointError extends ClusterApiError {
  readonly kind = 'ApiWrongEndpoint';
  readonly exitCode = ExitCode.userError;
}

/** The API kept failing with 5xx after the retries. */
export class ApiServerError extends ClusterApiError {
  readonly kind = 'ApiServer';
  readonly exitCode = ExitCode.failure;
}

/**
 * Reads Proxmox's 403 reason. `PVE::Exception::raise_perm_exc` (pve-common `src/PVE/Exception.pm`)
 * words it `Permission check failed (<path>, <priv>[|<priv>...])`; the http server puts it in the
 * status line and in the JSON body's `message`.
 */
export function parsePermissionReason(reason: string): { aclPath?: string; privileges: string[] } {
  const m = /Permission check failed \(([^,)]+),\s*([^)]+)\)/.exec(reason);
  if (!m) return { privileges: [] };
  return { aclPath: m[1]!.trim(), privileges: m[2]!.split(/[|,\s]+/).filter(Boolean) };
}
