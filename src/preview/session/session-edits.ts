import { isReelforgeError } from '../../errors.js';
import type { FrameService } from '../engine/index.js';
import type { Member, Session } from './member.js';
import type { ClientMessageOf } from './protocol.js';

/**
 * Applies a `params.update` (after every earlier update of the session), drops the frames it made
 * stale, and tells every member; the writer's copy carries its id and the fields it overwrote. With
 * `save`, stores the result too.
 */
export async function updateSession(
  session: Session,
  member: Member,
  m: ClientMessageOf<'params.update'>,
  frames: () => Promise<FrameService>,
): Promise<void> {
  await session.serial(async () => {
    const applied = await session.apply(m.changes, member.ref, m.baseVersion);
    const invalidated = (await frames()).invalidate(applied.previous, applied.next);
    const message = {
      type: 'params.updated' as const,
      sessionId: session.id,
      version: applied.version,
      by: member.ref,
      changes: m.changes.map((c, i) => ({ path: applied.paths[i]!, value: c.value })),
      invalidated,
    };
    for (const other of session.members.values()) if (other !== member) other.conn.send(message);
    member.conn.send({ ...message, id: m.id, overwritten: applied.overwritten });
    if (m.save) saveSession(session, member, m.id, m.message, false);
  });
}

/**
 * Stores the working timeline as a new project version and tells every member. A stale save (the
 * project moved on) is reported to the writer with the versions involved; the session keeps its changes.
 * Call inside `session.serial`.
 */
export function saveSession(
  session: Session,
  member: Member,
  id: string | undefined,
  message: string | undefined,
  overwrite: boolean,
): void {
  try {
    const projectVersion = session.save(member.principal.tokenId, message, overwrite);
    const saved = {
      type: 'session.saved' as const,
      sessionId: session.id,
      version: session.version,
      projectVersion,
      by: member.ref,
    };
    for (const other of session.members.values())
      other.conn.send(other === member ? { ...saved, id } : saved);
  } catch (e) {
    if (!isReelforgeError(e, 'PROJECT_VERSION_CONFLICT')) throw e;
    member.conn.send({
      type: 'error',
      id,
      sessionId: session.id,
      code: e.code,
      message:
        `${e.message}. The session keeps its changes (version ${session.version}); ` +
        'send session.save with overwrite:true to store them on top of the current version',
      details: { ...(e.meta.details as object), sessionVersion: session.version, kept: true },
    });
  }
}
