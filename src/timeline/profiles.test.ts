import { describe, expect, it } from 'vitest';
import { encoderSettings, qualityProfiles } from './profiles.js';
import { qualityProfileNames } from './schema.js';

describe('quality profiles', () => {
  it('defines every profile named by the schema', () => {
    expect(Object.keys(qualityProfiles).sort()).toEqual([...qualityProfileNames].sort());
  });

  it('has the documented H.264 settings', () => {
    const table = Object.fromEntries(
      Object.entries(qualityProfiles).map(([name, p]) => [name, [p.crf, p.preset, p.audioBitrateKbps]]),
    );
    expect(table).toEqual({
      economy: [28, 'veryfast', 128],
      standard: [23, 'medium', 192],
      premium: [20, 'slow', 256],
      ultra: [17, 'slower', 320],
    });
  });

  it('is frozen', () => {
    expect(Object.isFrozen(qualityProfiles)).toBe(true);
    expect(Object.isFrozen(qualityProfiles.standard)).toBe(true);
  });
});

describe('encoderSettings', () => {
  it('resolves a profile with no overrides', () => {
    expect(encoderSettings({ profile: 'premium' })).toEqual({
      profile: 'premium',
      crf: 20,
      preset: 'slow',
      audioBitrateKbps: 256,
    });
    expect(encoderSettings({})).toEqual({
      profile: 'standard',
      crf: 23,
      preset: 'medium',
      audioBitrateKbps: 192,
    });
  });

  it('lets each override win over the profile', () => {
    expect(encoderSettings({ profile: 'economy', crf: 30, preset: 'ultrafast', audioBitrate: 96 })).toEqual({
      profile: 'economy',
      crf: 30,
      preset: 'ultrafast',
      audioBitrateKbps: 96,
    });
    expect(encoderSettings({ profile: 'ultra', preset: 'veryslow' })).toMatchObject({
      crf: 17,
      preset: 'veryslow',
    });
  });
});
