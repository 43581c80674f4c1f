import type { Logger } from '../../log.js';
import type { FrameService } from '../engine/index.js';
import { encodeFrameMessage } from './frame-message.js';
import { FrameScheduler } from './frame-scheduler.js';
import { neighbourTimes } from './neighbours.js';
import type { PreviewConnection, PreviewPrincipal } from './preview-connection.js';
import type { PreviewSession } from './preview-session.js';
import type { ClientMessageOf, FrameHeader, MemberRef } from './protocol.js';

/** A connection's membership in a session: who, and its own frame scheduling. */
export interface Member {
  conn: PreviewConnection;
  ref: MemberRef;
  principal: PreviewPrincipal;
  scheduler: FrameScheduler;
  /** The thumbnail strip being made for this member, if any. */
  strip: AbortController | null;
}

export type Session = PreviewSession<Member>;

export interface MemberFrameOptions {
  frames: () => Promise<FrameService>;
  holdAboveBytes: number;
  /** 0 turns idle prefetch off. */
  prefetchDelayMs: number;
  /** Reports a failed frame to the client (an `error` with the request id). */
  failed(conn: PreviewConnection, sessionId: string, requestId: string, error: unknown): void;
  now: () => number;
  log: Logger;
}

/** A new member of `session` with a frame scheduler that delivers to its connection. */
export function createMember(
  session: Session,
  conn: PreviewConnection,
  principal: PreviewPrincipal,
  o: MemberFrameOptions,
): Member {
  const sessionId = session.id;
  const scheduler = new FrameScheduler({
    holdAboveBytes: o.holdAboveBytes,
    bufferedAmount: () => conn.bufferedAmount,
    render: async (r, signal) =>
      (await o.frames()).render({
        timeline: r.timeline,
        time: r.time,
        quality: r.quality,
        format: r.format,
        signal,
      }),
    deliver: (r, result) => {
      session.lastActive = o.now();
      const header: FrameHeader = {
        type: 'frame',
        sessionId,
        requestId: r.requestId,
        time: result.time,
        quality: result.quality,
        width: result.width,
        height: result.height,
        format: result.format,
        cacheHit: result.cacheHit,
        renderMs: result.renderMs,
        version: r.version,
        ...(result.degraded ? { degraded: result.degraded } : {}),
      };
      if (r.encoding === 'base64') conn.send({ ...header, data: result.bytes.toString('base64') });
      else conn.sendBinary(encodeFrameMessage(header, result.bytes));
    },
    dropped: (r, reason) => conn.send({ type: 'frame.dropped', sessionId, requestId: r.requestId, reason }),
    failed: (r, e) => o.failed(conn, sessionId, r.requestId, e),
    prefetch:
      o.prefetchDelayMs > 0
        ? {
            delayMs: o.prefetchDelayMs,
            times: (r) => neighbourTimes(r.time, r.timeline.output.fps, session.duration()),
            render: async (time, format, signal) =>
              (await o.frames()).render({
                timeline: session.timeline.rendered,
                time,
                quality: 'preview',
                format,
                signal,
              }),
          }
        : undefined,
    onError: (e) => o.log.debug({ err: e }, 'preview prefetch failed'),
  });
  return { conn, ref: { memberId: conn.id, owner: principal.owner }, principal, scheduler, strip: null };
}

/** Makes a thumbnail strip for a member; a newer strip request (or leaving) abandons an unfinished one. */
export async function sendStrip(
  session: Session,
  member: Member,
  m: ClientMessageOf<'frames.strip'>,
  frames: () => Promise<FrameService>,
  now: () => number,
): Promise<void> {
  member.strip?.abort();
  const controller = new AbortController();
  member.strip = controller;
  const version = session.version;
  try {
    const strip = await (await frames()).strip(session.timeline.rendered, {
      count: m.count,
      width: m.width,
      format: m.format ?? 'jpeg',
      signal: controller.signal,
    });
    if (controller.signal.aborted) return;
    member.conn.send({
      type: 'frames.strip',
      id: m.id,
      sessionId: session.id,
      version,
      frames: strip.map((f) => ({
        time: f.time,
        width: f.width,
        height: f.height,
        format: f.format,
        data: f.bytes.toString('base64'),
      })),
    });
  } catch (e) {
    if (controller.signal.aborted) return; // replaced by a newer strip, or the member left
    throw e;
  } finally {
    if (member.strip === controller) member.strip = null;
    session.lastActive = now();
  }
}
