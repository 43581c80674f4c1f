/** Something that happened to a project, for WebSocket subscribers of `project:<id>`. */
export type ProjectEvent =
  | { type: 'project.updated'; projectId: string; owner: string; version: number; at: number }
  | { type: 'project.deleted'; projectId: string; owner: string; at: number };

export type ProjectEventListener = (e: ProjectEvent) => void;

/** In-process fan-out of project events. A failing listener does not stop the others. */
export class ProjectEvents {
  private readonly listeners = new Set<ProjectEventListener>();

  subscribe(listener: ProjectEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: ProjectEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a subscriber's problem is its own
      }
    }
  }
}
