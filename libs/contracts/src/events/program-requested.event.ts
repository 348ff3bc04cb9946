import { defineEvent } from '../envelope.js';
import { transcodeJobSchema } from '../jobs/transcode.job.js';

/**
 * The publisher wants a program for a new broadcast: what to read, whose name and which logo to put
 * on it. The transcoder keeps it until the broadcast is over, and one of its replicas runs it under a
 * lease (see libs/service-kit leases).
 */
export const ProgramRequested = defineEvent('program.requested.v1', transcodeJobSchema);
