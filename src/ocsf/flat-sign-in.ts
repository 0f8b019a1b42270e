/**
 * @module ocsf/flat-sign-in
 * A sign-in reduced to the fields detection reads, in one flat object: what a format's fast way makes from a log line
 * for detection (see `JsonFormat.detectionSignIn`), enriched in place, then turned into a detection signal.
 *
 * Why flat: the same facts as an Authentication event take eight nested objects, which enrichment then merges into
 * and the signal reads back out of; for a plain Entra sign-in that was a third of the reading thread's time. Each
 * field means what the Authentication field it names means (`tenant` is `metadata.tenant_uid`, `ip` is
 * `src_endpoint.ip`, ...), so detection sees the same signal either way; a test holds the two ways equal line by line.
 */
import type { FailureReason } from './authentication.js';

export interface FlatSignIn {
  /** Tells a flat sign-in from an Authentication event in a batch of both. */
  readonly flat: true;
  time: number;
  /** `status_id`: 1 success, 2 failure. */
  status_id: number;
  tenant: string;
  /** `user.name`, as written in the log. */
  user: string;
  /** `src_endpoint.ip`; '' when the log has none. */
  ip: string;
  // `src_endpoint.location`: the vendor's, then filled by enrichment (the fields of `Location`, so merge.ts fills
  // them the same way).
  country: string | undefined;
  region: string | undefined;
  city: string | undefined;
  lat: number | undefined;
  long: number | undefined;
  /** `src_endpoint.autonomous_system.number`, `.name`. */
  asn: number | undefined;
  as_name: string | undefined;
  /** `src_endpoint.type`: the most specific intel kind of the address, set by enrichment. */
  type: string | undefined;
  /** `unmapped.reason`, `unmapped.password_valid`, `unmapped.legacy_protocol`, `unmapped.client_app`. */
  reason: FailureReason | undefined;
  password_valid: boolean | undefined;
  legacy_protocol: boolean;
  client_app: string | undefined;
  /** `http_request.user_agent`, `auth_protocol`. */
  user_agent: string | undefined;
  auth_protocol: string | undefined;
  /** `unmapped.format`, `unmapped.source`. */
  format: string;
  file: string;
  line: number;
}

export function isFlatSignIn(x: object): x is FlatSignIn {
  return (x as Partial<FlatSignIn>).flat === true;
}
