/** A memoised async value whose failure is not kept: the next call tries again. */
export interface MemoSuccess<T> {
  (): Promise<T>;
  /** The value once asked for (settled or in flight), or null when nobody asked yet. */
  made(): Promise<T> | null;
}

/** Memoises a successful async lookup or creation (ffmpeg found, a service started on first use). */
export function memoSuccess<T>(fn: () => Promise<T>): MemoSuccess<T> {
  let value: Promise<T> | null = null;
  const get = () => {
    value ??= fn().catch((e: unknown) => {
      value = null;
      throw e;
    });
    return value;
  };
  return Object.assign(get, { made: () => value });
}
