import { ReelforgeError } from '../errors.js';

/** Error factories for projects, assets, renders, tokens and blobs. Messages say what and how to fix it. */

const notFound = (
  code: 'PROJECT_NOT_FOUND' | 'ASSET_NOT_FOUND' | 'RENDER_NOT_FOUND',
  what: string,
  id: string,
) => new ReelforgeError(code, `${what} ${id} not found`, { status: 404, retryable: false, details: { id } });

export const projectNotFound = (id: string) => notFound('PROJECT_NOT_FOUND', 'project', id);
export const assetNotFound = (id: string) => notFound('ASSET_NOT_FOUND', 'asset', id);
export const renderNotFound = (id: string) => notFound('RENDER_NOT_FOUND', 'render', id);

export function versionNotFound(projectId: string, version: number | null): ReelforgeError {
  const message =
    version === null
      ? `project ${projectId} has no saved timeline yet; save one with PUT /projects/${projectId}/timeline`
      : `project ${projectId} has no timeline version ${version}`;
  return new ReelforgeError('PROJECT_VERSION_NOT_FOUND', message, {
    status: 404,
    retryable: false,
    details: { projectId, version },
  });
}

export function versionConflict(
  projectId: string,
  baseVersion: number,
  currentVersion: number,
): ReelforgeError {
  return new ReelforgeError(
    'PROJECT_VERSION_CONFLICT',
    `project ${projectId}: this save is based on version ${baseVersion}, but the current version is ${currentVersion}; ` +
      'load the current version, apply your change to it and save again with that baseVersion',
    { status: 409, retryable: false, details: { projectId, baseVersion, currentVersion } },
  );
}

export function timelineTooLarge(bytes: number, limit: number): ReelforgeError {
  return new ReelforgeError(
    'TIMELINE_TOO_LARGE',
    `the timeline is ${bytes} bytes of JSON; at most ${limit} are accepted (server.limits.timelineBytes)`,
    { status: 413, retryable: false, details: { bytes, limit } },
  );
}

export function uploadTooLarge(limit: number): ReelforgeError {
  return new ReelforgeError(
    'UPLOAD_TOO_LARGE',
    `the upload is larger than ${limit} bytes (server.limits.uploadBytes); nothing was kept`,
    { status: 413, retryable: false, details: { limit } },
  );
}

export function storageFull(freeMb: number, minMb: number): ReelforgeError {
  return new ReelforgeError(
    'STORAGE_FULL',
    `the data folder has ${freeMb} MB free, less than the ${minMb} MB kept in reserve (server.limits.minFreeDiskMb); free some space`,
    { status: 507, retryable: true, details: { freeMb, minMb } },
  );
}

export function blobNotFound(hash: string): ReelforgeError {
  return new ReelforgeError('BLOB_NOT_FOUND', `no blob with SHA-256 ${hash}`, {
    status: 404,
    retryable: false,
    details: { hash },
  });
}

export function assetInUse(
  id: string,
  users: { projects: readonly string[]; renders: readonly string[] },
): ReelforgeError {
  const parts = [
    users.projects.length > 0 ? `the current timeline of project ${users.projects.join(', ')}` : null,
    users.renders.length > 0 ? `unfinished render ${users.renders.join(', ')}` : null,
  ].filter(Boolean);
  return new ReelforgeError(
    'ASSET_IN_USE',
    `asset ${id} is used by ${parts.join(' and ')}; remove it from those timelines (or wait for the renders) first`,
    { status: 409, retryable: false, details: { id, ...users } },
  );
}

/** One problem with a media reference in a timeline. */
export interface AssetRefProblem {
  path: string;
  message: string;
}

export function assetRefInvalid(problems: readonly AssetRefProblem[]): ReelforgeError {
  const lines = problems.map((p) => `${p.path}: ${p.message}`);
  return new ReelforgeError(
    'ASSET_REF_INVALID',
    `the timeline's media references are not usable:\n  ${lines.join('\n  ')}`,
    { status: 422, retryable: false, details: problems },
  );
}

export function tokenNotFound(id: string): ReelforgeError {
  return new ReelforgeError(
    'TOKEN_NOT_FOUND',
    `no API token with id ${id}; \`reelforge token list\` shows them`,
    {
      status: 404,
      retryable: false,
    },
  );
}
