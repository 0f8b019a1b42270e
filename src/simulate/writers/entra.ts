/**
 * @module simulate/writers/entra
 * Microsoft Entra ID sign-ins as Microsoft Graph `signIn` objects (the beta shape, which adds userAgent,
 * authenticationRequirement, authenticationProtocol and the tenant ids), one JSON object per line, one file per
 * organisation and day. Error codes and failure reasons are Entra's own: 50126 bad password, 50034 unknown user,
 * 50053 locked, 50074 / 50076 MFA required (the password was right), 500121 MFA denied, 0 success.
 */
import { deviceOf, Result, type Client, type SimEvent } from '../event.js';
import type { Address } from '../addresses.js';
import type { Org, User } from '../population.js';
import type { Rng } from '../rng.js';
import { bytes, emailOf, FragmentCache, fragments, q, type Sink, type Writer } from './types.js';
import { dayFile } from './files.js';

const CLIENT_APP: Record<Client, string> = {
  browser: 'Browser',
  mobile_app: 'Mobile Apps and Desktop clients',
  desktop_app: 'Mobile Apps and Desktop clients',
  activesync: 'Exchange ActiveSync',
  imap: 'IMAP4',
  smtp: 'Authenticated SMTP',
  ropc: 'Other clients',
};

const EXCHANGE = ['00000002-0000-0ff1-ce00-000000000000', 'Office 365 Exchange Online'] as const;
const APPS: Record<Client, readonly (readonly [string, string])[]> = {
  browser: [EXCHANGE, ['4765445b-32c6-49b0-83e6-1d93765276ca', 'OfficeHome'], ['00000003-0000-0ff1-ce00-000000000000', 'Office 365 SharePoint Online']],
  desktop_app: [['1fec8e78-bce4-4aaf-ab1b-5451cc387264', 'Microsoft Teams'], ['d3590ed6-52b3-4102-aeff-aad2292ab01c', 'Microsoft Office']],
  mobile_app: [['27922004-5251-4030-b22d-91ecd9a37ea4', 'Outlook Mobile']],
  activesync: [EXCHANGE],
  imap: [EXCHANGE],
  smtp: [EXCHANGE],
  ropc: [EXCHANGE],
};

const CODE: Record<Result, number> = {
  [Result.Success]: 0,
  [Result.BadPassword]: 50126,
  [Result.UnknownUser]: 50034,
  [Result.Locked]: 50053,
  [Result.MfaInterrupt]: 50074,
  [Result.MfaRequired]: 50076,
  [Result.MfaDenied]: 500121,
  [Result.MfaTimeout]: 500121,
};

const REASON: Record<Result, string | null> = {
  [Result.Success]: null,
  [Result.BadPassword]: 'Error validating credentials due to invalid username or password.',
  [Result.UnknownUser]: 'The user account does not exist in the directory. To sign into this application, the account must be added to the directory.',
  [Result.Locked]: "The account is locked, you've tried to sign in too many times with an incorrect user ID or password.",
  [Result.MfaInterrupt]: 'Strong Authentication is required.',
  [Result.MfaRequired]: 'Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.',
  [Result.MfaDenied]: 'Authentication failed during strong authentication request.',
  [Result.MfaTimeout]: 'Authentication failed during strong authentication request.',
};

const DETAIL: Partial<Record<Result, string>> = {
  [Result.MfaDenied]: 'MFA denied; user declined the authentication',
  [Result.MfaTimeout]: 'MFA denied; user did not respond to mobile app notification',
  [Result.MfaRequired]: 'MFA required in Azure AD',
};

const K = {
  open: bytes('{"id":"'),
  created: bytes('","createdDateTime":"'),
  correlation: bytes('"correlationId":"'),
  interactive: bytes('",' + '"conditionalAccessStatus":"notApplied","isInteractive":true,'),
  nonInteractive: bytes('",' + '"conditionalAccessStatus":"notApplied","isInteractive":false,'),
  risk: bytes('"riskDetail":"none","riskLevelAggregated":"none","riskLevelDuringSignIn":"none","riskState":"none","riskEventTypes":[],"riskEventTypes_v2":[],'),
  mfaDetail: bytes('"mfaDetail":{"authMethod":"Mobile app notification","authDetail":null},'),
  close: bytes(',"appliedConditionalAccessPolicies":[]}'),
};

export function entraWriter(): Writer {
  const users = fragments<User>((u) => `","userDisplayName":${q(u.displayName)},"userPrincipalName":${q(u.upn)},"userId":"${u.uid}",`);
  const places = fragments<Address>(
    (a) =>
      `"ipAddress":"${a.ip}","location":{"city":${q(a.net.city)},"state":${q(a.net.state)},"countryOrRegion":"${a.net.country}","geoCoordinates":{"altitude":null,"latitude":${a.net.lat},"longitude":${a.net.lon}}},`,
  );
  const devices = fragments<string>((ua) => {
    const d = deviceOf(ua);
    return `"userAgent":${q(ua)},"deviceDetail":{"deviceId":"","displayName":"","operatingSystem":${q(d.os)},"browser":${q(d.browser)},"isCompliant":false,"isManaged":false,"trustType":""},`;
  });
  const statuses = fragments<Result>((r) => `"status":{"errorCode":${CODE[r]},"failureReason":${REASON[r] === null ? 'null' : q(REASON[r]!)},"additionalDetails":${DETAIL[r] ? q(DETAIL[r]!) : 'null'}}`);
  /** App, client, tenant and MFA fields, by organisation, then client, app and MFA. */
  const apps = new FragmentCache<Org, Map<string, Buffer>>(() => new Map());
  const appFields = (org: Org, client: Client, app: number, mfa: boolean): Buffer => {
    const byOrg = apps.get(org);
    const key = client + app + (mfa ? 'm' : 's');
    let b = byOrg.get(key);
    if (!b) {
      const [appId, appName] = APPS[client][app];
      b = bytes(
        `"appId":"${appId}","appDisplayName":${q(appName)},"clientAppUsed":"${CLIENT_APP[client]}","resourceDisplayName":${q(appName)},"resourceId":"${appId}",` +
          `"homeTenantId":"${org.id}","resourceTenantId":"${org.id}","authenticationRequirement":"${mfa ? 'multiFactorAuthentication' : 'singleFactorAuthentication'}","authenticationProtocol":"${client === 'ropc' ? 'ropc' : 'none'}",`,
      );
      byOrg.set(key, b);
    }
    return b;
  };

  return {
    format: 'entra',
    frame: { head: '', sep: '\n', tail: '\n' },
    fileKey: (t) => Math.floor(t / 86_400_000),
    fileOf: (org, t) => dayFile(org, t, 'jsonl'),
    accountName: emailOf,
    notes: {},
    write(e: SimEvent, out: Sink, rng: Rng): number {
      const choices = APPS[e.client].length;
      const app = choices === 1 ? 0 : rng.int(choices);
      const mfaSuccess = e.result === Result.Success && e.mfa;
      const mfa = mfaSuccess || e.result === Result.MfaDenied || e.result === Result.MfaTimeout;
      out.record(e.t);
      out.raw(K.open);
      out.uuid(rng);
      out.raw(K.created);
      out.isoSeconds(e.t);
      if (e.user) out.raw(users.get(e.user));
      else out.text(`","userDisplayName":null,"userPrincipalName":${q(emailOf(e))},"userId":"",`);
      out.raw(appFields(e.org, e.client, app, mfa));
      out.raw(K.correlation);
      out.uuid(rng);
      out.raw(e.interactive ? K.interactive : K.nonInteractive);
      out.raw(K.risk);
      if (mfaSuccess) out.raw(K.mfaDetail);
      out.raw(places.get(e.src));
      out.raw(devices.get(e.ua));
      out.raw(statuses.get(e.result));
      out.raw(K.close);
      return 1;
    },
  };
}
