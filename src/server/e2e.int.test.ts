import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestAudio, makeTestImage } from '../../test/helpers/media-fixtures.js';
import { tmpDir } from '../../test/helpers/paths.js';
import { findFfmpeg, probe, runFfprobe } from '../media/index.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import { TestWsClient, type WsMessage } from './test-support/ws-client.js';

const fixtures = join(tmpDir, 'server-fixtures');

/**
 * The whole path a client takes: upload media, make a project of it, render it, follow the render
 * over the WebSocket, download the video and check it with ffprobe. Real HTTP, a real WebSocket
 * client, real ffmpeg; a 64×36, 1-second video.
 */
describe('server end to end: upload → project → render → WebSocket progress → MP4', () => {
  let s: TestServer;
  let token: string;

  beforeAll(async () => {
    s = await startTestServer(
      { rateLimit: { perMinute: 0 }, ws: { progressThrottleMs: 50 } },
      { startJobs: true },
    );
    token = s.services.tokens.create({
      name: 'e2e',
      owner: 'maker',
      scopes: ['read', 'write', 'render'],
    }).token;
    s.token = token;
  });
  afterAll(() => s.close());

  async function upload(path: string, name: string): Promise<{ ref: string; kind: string }> {
    const form = new FormData();
    form.append('file', new Blob([readFileSync(path)]), name);
    const res = await s.request('/assets', { method: 'POST', body: form });
    expect(res.status).toBe(201);
    return (await res.json()) as { ref: string; kind: string };
  }

  it('renders a project made of uploaded media and reports it over the WebSocket', async () => {
    const image = await upload(
      await makeTestImage(fixtures, { w: 64, h: 36, pattern: 'testsrc2' }),
      'pattern.png',
    );
    const audio = await upload(await makeTestAudio(fixtures, { seconds: 1, freq: 440 }), 'tone.wav');
    expect([image.kind, audio.kind]).toEqual(['image', 'audio']);

    const timeline = {
      output: { width: 64, height: 36, fps: 10, format: 'mp4', profile: 'economy' },
      tracks: [
        {
          id: 'pictures',
          clips: [
            {
              type: 'image',
              src: image.ref,
              start: 0,
              duration: 1,
              camera: { from: { zoom: 1 }, to: { zoom: 1.3 } },
            },
          ],
        },
        {
          id: 'titles',
          clips: [{ type: 'text', text: 'Reelforge', start: 0, duration: 1, font: { size: 200 } }],
        },
        { id: 'sound', clips: [{ type: 'audio', src: audio.ref, start: 0, duration: 1, fadeOut: 0.2 }] },
      ],
    };
    const created = await s.request('/projects', { method: 'POST', json: { name: 'End to end', timeline } });
    expect(created.status).toBe(201);
    const project = (await created.json()) as { id: string; version: number };
    expect(project.version).toBe(1);

    // Follow the project before starting the render, so that none of its render's events are missed.
    const ws = await TestWsClient.open(s.wsUrl, { headers: { authorization: `Bearer ${token}` } });
    try {
      expect(await ws.next()).toMatchObject({ type: 'hello', authenticated: true });
      expect(await ws.request({ type: 'subscribe', topic: `project:${project.id}` })).toMatchObject({
        type: 'subscribed',
      });

      const started = await s.request('/renders', { method: 'POST', json: { projectId: project.id } });
      expect(started.status).toBe(202);
      const render = (await started.json()) as { id: string };

      const finished = await ws.next(
        (m) =>
          m.type === 'event' &&
          m.event?.jobId === render.id &&
          /^job\.(completed|failed|cancelled)$/.test(m.event.type),
        60_000,
      );
      expect(finished.event?.type).toBe('job.completed');
      const events = ws.messages.filter(
        (m): m is WsMessage & { event: { type: string } } =>
          m.type === 'event' && m.event?.jobId === render.id,
      );
      const types = events.map((e) => e.event.type);
      expect(types[0]).toBe('job.queued');
      expect(types).toContain('job.started');
      expect(types.at(-1)).toBe('job.completed');
      const progress = events
        .filter((e) => e.event.type === 'job.progress')
        .map(
          (e) =>
            (e.event as unknown as { progress: { percent: number; steps: Array<{ name: string }> } })
              .progress,
        );
      expect(progress.length).toBeGreaterThan(0);
      // Progress is persisted at the job system's interval, so a short render may show only its first steps here.
      expect(progress.every((p) => p.steps[0]?.name === 'prepare')).toBe(true);
      const percents = progress.map((p) => p.percent);
      expect(percents).toEqual([...percents].sort((a, b) => a - b));

      // The render's status agrees, and the output downloads as a proper MP4.
      const status = (await (await s.request(`/renders/${render.id}`)).json()) as {
        state: string;
        percent: number;
        steps: Array<{ name: string; state: string }>;
        output: { url: string; bytes: number };
      };
      expect(status).toMatchObject({ state: 'completed', percent: 100 });
      expect(status.steps.map((st) => `${st.name}:${st.state}`)).toEqual([
        'prepare:done',
        'audio:done',
        'video:done',
        'finalize:done',
        'store:done',
      ]);
      const download = await s.request(status.output.url);
      expect(download.status).toBe(200);
      const bytes = Buffer.from(await download.arrayBuffer());
      expect(bytes.length).toBe(status.output.bytes);
      const file = join(fixtures, `e2e-${render.id}.mp4`);
      writeFileSync(file, bytes);

      const ff = await findFfmpeg();
      const info = await probe(ff, file);
      expect(info.formatName).toContain('mp4');
      expect(info.video).toMatchObject({ codec: 'h264', width: 64, height: 36, fps: 10 });
      expect(info.audio).toMatchObject({ codec: 'aac' });
      expect(info.durationSec).toBeGreaterThan(0.9);
      expect(info.durationSec).toBeLessThan(1.2);
      const counted = JSON.parse(
        await runFfprobe(ff, [
          '-v',
          'error',
          '-count_frames',
          '-select_streams',
          'v:0',
          '-show_entries',
          'stream=nb_read_frames',
          '-of',
          'json',
          '-i',
          file,
        ]),
      ) as { streams: Array<{ nb_read_frames: string }> };
      expect(Number(counted.streams[0]?.nb_read_frames)).toBe(10);
    } finally {
      await ws.close();
    }
  });
});
