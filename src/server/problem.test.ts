import { describe, expect, it } from 'vitest';
import { ReelforgeError } from '../errors.js';
import { toProblem } from './problem.js';

describe('toProblem', () => {
  it('keeps a Reelforge error’s code, status, message and details', () => {
    const e = new ReelforgeError('PROJECT_VERSION_CONFLICT', 'based on 1, current 2', {
      status: 409,
      details: { currentVersion: 2 },
    });
    expect(toProblem(e, { instance: '/projects/p', requestId: 'r1' })).toEqual({
      type: 'urn:reelforge:error:PROJECT_VERSION_CONFLICT',
      title: 'Conflict',
      status: 409,
      detail: 'based on 1, current 2',
      code: 'PROJECT_VERSION_CONFLICT',
      instance: '/projects/p',
      requestId: 'r1',
      details: { currentVersion: 2 },
    });
  });

  it('maps schema validation failures to REQUEST_INVALID with each problem’s path', () => {
    const e = Object.assign(new Error('x'), {
      validation: [{ instancePath: '/name', message: 'Too small' }],
      validationContext: 'body',
    });
    const p = toProblem(e);
    expect(p.code).toBe('REQUEST_INVALID');
    expect(p.status).toBe(400);
    expect(p.details).toEqual([{ path: 'body.name', message: 'Too small' }]);
  });

  it('maps framework errors onto codes', () => {
    const big = Object.assign(new Error('too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    expect(toProblem(big, { bodyBytes: 1024 })).toMatchObject({ code: 'REQUEST_TOO_LARGE', status: 413 });
    expect(toProblem(big, { timelineBody: true, timelineBytes: 2048 })).toMatchObject({
      code: 'TIMELINE_TOO_LARGE',
      status: 413,
    });
    const media = Object.assign(new Error('bad type'), {
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      statusCode: 415,
    });
    expect(toProblem(media)).toMatchObject({ code: 'REQUEST_MEDIA_TYPE', status: 415 });
    expect(toProblem(new SyntaxError('Unexpected token'))).toMatchObject({
      code: 'REQUEST_INVALID',
      status: 400,
    });
  });

  it('hides the message of unexpected errors, pointing at the log', () => {
    const p = toProblem(new Error('ENOENT /secret/path'), { requestId: 'abc' });
    expect(p).toMatchObject({ code: 'INTERNAL', status: 500 });
    expect(p.detail).not.toContain('/secret/path');
    expect(p.detail).toContain('abc');
  });
});
