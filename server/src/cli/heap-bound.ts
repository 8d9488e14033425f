// Keeps a `check` run's memory near what it holds. The run analyses files one after the other and
// keeps only their reports, so what a file's analysis allocated is garbage once it is reported. V8
// collects its old generation only when the heap reaches a limit it sets at several times the size
// that was live at the last collection: on 10,000 migrations the heap grew to over 300 MB while
// about 90 MB was live. Between two SQL files, when the heap has grown half again past what was
// live after the last collection (and past a floor), a full collection runs: there, 13 of them, about
// 1 s of CPU in all (peak RSS 555 → 290 MB).

import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/** Below this heap size no collection is asked for: a small run never pays for one. */
const FLOOR_BYTES = 64 * 1024 * 1024;

/** How much the heap may grow past what was live after the last collection before the next one. */
const GROWTH = 1.5;

export class HeapBound {
  private liveBytes = 0;

  /** Called between two files. */
  betweenFiles(): void {
    const used = v8.getHeapStatistics().used_heap_size;
    if (used < Math.max(FLOOR_BYTES, GROWTH * this.liveBytes)) return;
    const collect = collector();
    if (!collect) return;
    collect();
    this.liveBytes = v8.getHeapStatistics().used_heap_size;
  }
}

let collect: (() => void) | null | undefined;

// V8's gc() is exposed to contexts created after --expose-gc is set; Node starts without it.
function collector(): (() => void) | null {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  return collect;
}
