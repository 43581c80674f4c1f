import { randomUUID } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/** A sortable job id: `j_` + 10 base-32 characters of milliseconds + 12 random hex characters. */
export function newJobId(now: number): string {
  let time = '';
  let t = Math.max(0, Math.floor(now));
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  // randomUUID draws from a pooled buffer: much cheaper than randomBytes per id.
  const rand = randomUUID().replace(/-/g, '').slice(0, 12);
  return `j_${time}${rand}`;
}

/** Ids chosen by callers (idempotency keys) must be safe in SQL, Redis keys and BullMQ job ids. */
export const JOB_ID_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;
