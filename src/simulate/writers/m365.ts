/**
 * @module simulate/writers/m365
 * Microsoft 365 unified audit records of the Management Activity API (content type Audit.AzureActiveDirectory):
 * `UserLoggedIn` and `UserLoginFailed`, with the Entra error as `ErrorNumber` and its symbolic `LogonError`, one
 * record per line, one file per organisation and day. The MFA steps are `SAS:` requests; denied or unanswered
 * pushes fail with 500121. Token refreshes are not written. The organisation's id is the tenant GUID.
 */
import { Result, type Client, type SimEvent } from '../event.js';
import type { User } from '../population.js';
import { dayFile } from './files.js';
import { bytes, emailOf, fragments, q, type Writer } from './types.js';

const ERROR: Record<Result, [number, string]> = {
  [Result.Success]: [0, ''],
  [Result.BadPassword]: [50126, 'InvalidUserNameOrPassword'],
  [Result.UnknownUser]: [50034, 'UserAccountNotFound'],
  [Result.Locked]: [50053, 'IdsLocked'],
  [Result.MfaInterrupt]: [50074, 'UserStrongAuthClientAuthNRequiredInterrupt'],
  [Result.MfaRequired]: [50076, 'UserStrongAuthClientAuthNRequired'],
  [Result.MfaDenied]: [500121, 'AuthenticationFailedDuringStrongAuthRequest'],
  [Result.MfaTimeout]: [500121, 'AuthenticationFailedDuringStrongAuthRequest'],
};

const EXCHANGE = '00000002-0000-0ff1-ce00-000000000000';
const APP: Record<Client, string> = {
  browser: '4765445b-32c6-49b0-83e6-1d93765276ca',
  desktop_app: '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
  mobile_app: '27922004-5251-4030-b22d-91ecd9a37ea4',
  activesync: EXCHANGE,
  imap: EXCHANGE,
  smtp: EXCHANGE,
  ropc: EXCHANGE,
};

function requestType(e: SimEvent): string {
  if (e.result === Result.MfaDenied || e.result === Result.MfaTimeout || (e.result === Result.Success && e.mfa)) return 'SAS:ProcessAuth';
  if (e.client === 'mobile_app' || e.client === 'desktop_app') return 'OAuth2:Token';
  return 'Login:login';
}

const K = {
  open: bytes('{"CreationTime":"'),
  id: bytes('","Id":"'),
  ok: bytes('","Operation":"UserLoggedIn","OrganizationId":"'),
  failed: bytes('","Operation":"UserLoginFailed","OrganizationId":"'),
  okStatus: bytes('","RecordType":15,"ResultStatus":"Success",'),
  failedStatus: bytes('","RecordType":15,"ResultStatus":"Failed",'),
  client: bytes(',"UserType":0,"Version":1,"Workload":"AzureActiveDirectory","ClientIP":"'),
  object: bytes(`","ObjectId":"${EXCHANGE}","AzureActiveDirectoryEventType":1,"ExtendedProperties":[{"Name":"ResultStatusDetail","Value":"`),
  agent: bytes('"},{"Name":"UserAgent","Value":'),
  request: bytes('},{"Name":"RequestType","Value":"'),
  modified: bytes('"}],"ModifiedProperties":[],"ActorContextId":"'),
  actorIp: bytes('","ActorIpAddress":"'),
  inter: bytes('","InterSystemsId":"'),
  intra: bytes('","IntraSystemId":"'),
  target: bytes(`","SupportTicketId":"","Target":[{"ID":"${EXCHANGE}","Type":0}],"TargetContextId":"`),
  app: bytes('","ApplicationId":"'),
  close: bytes('"}'),
};

export function m365Writer(): Writer {
  const actors = fragments<User>((u) => `"UserKey":"${u.uid}","UserId":${q(u.upn)},"Actor":[{"ID":"${u.uid}","Type":0},{"ID":${q(u.upn)},"Type":5}]`);
  const agents = fragments<string>(q);
  const errors = fragments<Result>((r) => `","ErrorNumber":"${ERROR[r][0]}","LogonError":"${ERROR[r][1]}`);
  return {
    format: 'm365',
    frame: { head: '', sep: '\n', tail: '\n' },
    fileKey: (t) => Math.floor(t / 86_400_000),
    fileOf: (org, t) => dayFile(org, t, 'jsonl'),
    accountName: emailOf,
    notes: {},
    write(e, out, rng) {
      if (!e.interactive) return 0;
      const ok = e.result === Result.Success;
      const tenant = e.org.id;
      out.record(e.t);
      out.raw(K.open);
      out.isoLocalSeconds(e.t);
      out.raw(K.id);
      out.uuid(rng);
      out.raw(ok ? K.ok : K.failed);
      out.text(tenant);
      out.raw(ok ? K.okStatus : K.failedStatus);
      if (e.user) out.raw(actors.get(e.user));
      else out.text(`"UserKey":"Not Available","UserId":${q(emailOf(e))},"Actor":[{"ID":${q(emailOf(e))},"Type":5}]`);
      out.raw(K.client);
      out.text(e.src.ip);
      out.raw(K.object);
      out.text(ok ? 'Success' : 'UserError');
      out.raw(K.agent);
      out.raw(agents.get(e.ua));
      out.raw(K.request);
      out.text(requestType(e));
      out.raw(K.modified);
      out.text(tenant);
      out.raw(K.actorIp);
      out.text(e.src.ip);
      out.raw(K.inter);
      out.uuid(rng);
      out.raw(K.intra);
      out.uuid(rng);
      out.raw(K.target);
      out.text(tenant);
      out.raw(K.app);
      out.text(APP[e.client]);
      if (!ok) out.raw(errors.get(e.result));
      out.raw(K.close);
      return 1;
    },
  };
}
