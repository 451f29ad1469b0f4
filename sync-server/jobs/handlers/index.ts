import type { JobHandlers } from '../job-handler.ts';
import { MARK_NO_SHOW, markNoShow } from './mark-no-show.ts';

/** Every job type the server runs. Add a type here; tests add their own next to these. */
export const DEFAULT_JOB_HANDLERS: JobHandlers = {
  [MARK_NO_SHOW]: markNoShow,
};
