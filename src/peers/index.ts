/**
 * @module peers
 * The peer products' published credential-attack rules, re-implemented as pure functions over normalised events,
 * so the evaluation can score them beside Vigil on the same worlds (see each module for the rule and its source).
 */
import { crowdsecBuckets } from './crowdsec-buckets.js';
import { elasticBruteForce } from './elastic-bruteforce.js';
import { fail2ban } from './fail2ban.js';
import { sentinelSpray } from './sentinel-spray.js';
import type { PeerAlert, PeerEvent } from './types.js';

export { slimEvent, entraCode, type PeerAlert, type PeerEvent } from './types.js';

export interface Peer {
  /** Short name used in alerts and tables. */
  name: string;
  /** What is re-implemented, for the report. */
  label: string;
  run(events: readonly PeerEvent[]): PeerAlert[];
}

export const PEERS: Peer[] = [
  { name: 'sentinel', label: 'Microsoft Sentinel "Password spray attack against Azure AD application" (SigninPasswordSpray)', run: sentinelSpray },
  { name: 'elastic', label: 'Elastic "Entra ID User Sign-in Brute Force Attempted" (ES|QL)', run: elasticBruteForce },
  { name: 'crowdsec', label: 'CrowdSec ssh-bf, ssh-slow-bf and their user-enumeration variants (leaky buckets)', run: crowdsecBuckets },
  { name: 'fail2ban', label: 'fail2ban sshd jail (5 failures in 10 minutes)', run: fail2ban },
];
