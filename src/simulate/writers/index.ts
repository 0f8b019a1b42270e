/**
 * @module simulate/writers
 * The vendor writer for a format name.
 */
import type { SimFormat } from '../population.js';
import { cloudtrailWriter } from './cloudtrail.js';
import { entraWriter } from './entra.js';
import { gwsWriter } from './gws.js';
import { m365Writer } from './m365.js';
import { oktaWriter } from './okta.js';
import { sshdWriter } from './sshd.js';
import type { Writer } from './types.js';

export type { Writer } from './types.js';

export function writerFor(format: SimFormat): Writer {
  switch (format) {
    case 'entra':
      return entraWriter();
    case 'okta':
      return oktaWriter();
    case 'gws':
      return gwsWriter();
    case 'm365':
      return m365Writer();
    case 'cloudtrail':
      return cloudtrailWriter();
    case 'sshd':
      return sshdWriter();
  }
}
