import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './breaker.js';

function make(threshold = 3, openMs = 1000) {
  const clock = { now: 0 };
  const b = new CircuitBreaker({ failureThreshold: threshold, openMs, now: () => clock.now });
  return { b, clock };
}

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures; a success in between resets the count', () => {
    const { b } = make(3);
    b.failure();
    b.failure();
    b.success();
    b.failure();
    b.failure();
    expect(b.stats()).toEqual({ state: 'closed', failures: 2, opens: 0 });
    expect(b.allow()).not.toBeNull();
    b.failure();
    expect(b.stats()).toEqual({ state: 'open', failures: 3, opens: 1 });
  });

  it('fails fast while open, then lets exactly one probe through', () => {
    const { b, clock } = make(1, 1000);
    b.failure();
    expect(b.allow()).toBeNull();
    clock.now = 999;
    expect(b.allow()).toBeNull();
    expect(b.retryInMs).toBe(1);
    clock.now = 1000;
    expect(b.state).toBe('half-open');
    expect(b.allow()).not.toBeNull();
    expect(b.allow()).toBeNull(); // the probe is still out
  });

  it('closes when the probe succeeds', () => {
    const { b, clock } = make(1, 1000);
    b.failure();
    clock.now = 1000;
    b.allow();
    b.success();
    expect(b.stats()).toEqual({ state: 'closed', failures: 0, opens: 1 });
    expect(b.allow()).not.toBeNull();
  });

  it('opens again for another openMs when the probe fails', () => {
    const { b, clock } = make(5, 1000);
    for (let i = 0; i < 5; i++) b.failure();
    clock.now = 1500;
    b.allow();
    b.failure();
    expect(b.stats()).toMatchObject({ state: 'open', opens: 2 });
    clock.now = 2499;
    expect(b.allow()).toBeNull();
    clock.now = 2500;
    expect(b.allow()).not.toBeNull();
  });

  it('a cancelled probe releases its ticket so another probe may go', () => {
    const { b, clock } = make(1, 1000);
    b.failure();
    clock.now = 1000;
    const ticket = b.allow();
    expect(b.allow()).toBeNull();
    ticket?.release();
    expect(b.allow()).not.toBeNull();
  });

  it('failures of calls that started before it opened do not extend the open time', () => {
    const { b, clock } = make(1, 1000);
    b.failure();
    clock.now = 600;
    b.failure();
    expect(b.stats().opens).toBe(1);
    clock.now = 1000;
    expect(b.state).toBe('half-open');
  });
});
