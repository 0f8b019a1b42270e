/**
 * @module simulate/writers/cloudtrail
 * AWS CloudTrail `ConsoleLogin` records (signin.amazonaws.com) in CloudTrail's own file shape: one JSON document
 * `{"Records":[...]}` on one line, per account and hour, at most 500 records per file, named as CloudTrail names its
 * objects (`<account>_CloudTrail_us-east-1_<yyyymmddThhmmZ>_<unique>.json`). A name that matches no IAM user is
 * logged as HIDDEN_DUE_TO_SECURITY_REASONS; MFA shows only as `MFAUsed`. People's mail clients and token refreshes
 * never reach the AWS console and are not written. The organisation's id is the AWS account id.
 */
import { Result } from '../event.js';
import { bytes, fragments, q, type Writer } from './types.js';
import type { User } from '../population.js';

const LOGIN_TO = '"LoginTo":"https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true","MobileVersion":"No"';
const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

const K = {
  open: bytes('{"eventVersion":"1.05","userIdentity":'),
  time: bytes(',"eventTime":"'),
  source: bytes('","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"'),
  agent: bytes('","userAgent":'),
  failed: bytes(',"errorMessage":"Failed authentication"'),
  noUser: bytes(',"errorMessage":"No username found in supplied account"'),
  okResponse: bytes(',"requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{' + LOGIN_TO + ',"MFAUsed":"'),
  failResponse: bytes(',"requestParameters":null,"responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{' + LOGIN_TO + ',"MFAUsed":"'),
  yes: bytes('Yes"},"eventID":"'),
  no: bytes('No"},"eventID":"'),
  recipient: bytes('","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"'),
  close: bytes('"}'),
};

export function cloudtrailWriter(): Writer {
  const okIdentity = fragments<User>(
    (u) => `{"type":"IAMUser","principalId":"${u.awsId}","arn":"arn:aws:iam::${u.org.awsAccount}:user/${u.login}","accountId":"${u.org.awsAccount}","userName":${q(u.login)}}`,
  );
  const failIdentity = fragments<User>((u) => `{"type":"IAMUser","principalId":"${u.awsId}","accountId":"${u.org.awsAccount}","accessKeyId":"","userName":${q(u.login)}}`);
  const agents = fragments<string>(q);
  return {
    format: 'cloudtrail',
    frame: { head: '{"Records":[', sep: ',', tail: ']}\n', maxRecords: 500 },
    fileKey: (t) => Math.floor(t / 3_600_000),
    fileOf(org, t, rng) {
      const stamp = new Date(Math.floor(t / 3_600_000) * 3_600_000).toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';
      const day = new Date(t).toISOString().slice(0, 10).replace(/-/g, '/');
      return `${org.slug}/${day}/${org.awsAccount}_CloudTrail_us-east-1_${stamp}_${rng.alnum(16)}.json`;
    },
    accountName: (e) => (e.user ? e.user.login : HIDDEN),
    notes: {
      password_spray: 'Names that match no IAM user are logged as HIDDEN_DUE_TO_SECURITY_REASONS; console failures do not say whether the password was right.',
      brute_force: 'Console failures do not say whether the password was right.',
      credential_stuffing: 'Names that match no IAM user are logged as HIDDEN_DUE_TO_SECURITY_REASONS.',
      mfa_fatigue: 'The AWS console has no push MFA: each denied or unanswered push is rendered as a failed ConsoleLogin with MFAUsed=Yes (closest shape).',
    },
    write(e, out, rng) {
      if (!e.interactive || (e.attack < 0 && (e.client === 'mobile_app' || e.client === 'activesync' || e.client === 'imap'))) return 0;
      const account = e.org.awsAccount;
      const ok = e.result === Result.Success;
      const mfaUsed = e.mfa || e.result === Result.MfaDenied || e.result === Result.MfaTimeout || e.result === Result.MfaRequired || e.result === Result.MfaInterrupt;
      out.record(e.t);
      out.raw(K.open);
      if (!e.user) out.text(`{"type":"IAMUser","accountId":"${account}","accessKeyId":"","userName":"${HIDDEN}"}`);
      else out.raw(ok ? okIdentity.get(e.user) : failIdentity.get(e.user));
      out.raw(K.time);
      out.isoSeconds(e.t);
      out.raw(K.source);
      out.text(e.src.ip);
      out.raw(K.agent);
      out.raw(agents.get(e.ua));
      if (!ok) out.raw(e.user ? K.failed : K.noUser);
      out.raw(ok ? K.okResponse : K.failResponse);
      out.raw(mfaUsed ? K.yes : K.no);
      out.uuid(rng);
      out.raw(K.recipient);
      out.text(account);
      out.raw(K.close);
      return 1;
    },
  };
}
