// The project as one analysis sees it, with every question asked and its answer recorded, so that the
// result cache can tell whether the project still answers the same (cli/cache.ts). Whatever methods
// ProjectContext has, each call is recorded; an answer that is not plain data (it could not be
// compared after a round trip through JSON) makes the analysis unrecordable, and it is not cached.

import type { ProjectContext } from '../project/context';

/** [method, arguments as JSON, answer as JSON ('~' for undefined)]. */
export type ProjectCall = [string, string, string];

export interface RecordingProject {
  project: ProjectContext;
  /** The calls made, each once; undefined when some answer could not be recorded. */
  calls(): ProjectCall[] | undefined;
}

export function recordingProject(project: ProjectContext): RecordingProject {
  const calls = new Map<string, ProjectCall>();
  let recordable = true;
  const proxy = new Proxy(project, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        const answer = (value as (...parameters: unknown[]) => unknown).apply(target, args);
        if (!args.every((argument) => argument !== undefined && isPlainData(argument)) || !isPlainData(answer)) recordable = false;
        else {
          const call: ProjectCall = [property, JSON.stringify(args), encodeAnswer(answer)];
          calls.set(`${call[0]}\0${call[1]}`, call);
        }
        return answer;
      };
    },
  });
  return { project: proxy, calls: () => (recordable ? [...calls.values()] : undefined) };
}

/** True when the project gives every recorded call the same answer now. */
export function answersHold(project: ProjectContext, calls: ProjectCall[]): boolean {
  for (const [method, args, answer] of calls) {
    const function_ = (project as unknown as Record<string, unknown>)[method];
    if (typeof function_ !== 'function') return false;
    try {
      if (encodeAnswer((function_ as (...parameters: unknown[]) => unknown).apply(project, JSON.parse(args) as unknown[])) !== answer) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function encodeAnswer(answer: unknown): string {
  return answer === undefined ? '~' : JSON.stringify(answer);
}

function isPlainData(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (Array.isArray(value)) return value.every(isPlainData);
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null) return false;
      return Object.values(value as Record<string, unknown>).every((each) => each !== undefined && isPlainData(each));
    }
    default:
      return false;
  }
}
