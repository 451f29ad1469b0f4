import type { DomainDb } from '../../db/domain-db.ts';
import { JobStore } from './job-store.ts';
import { Outbox } from './outbox.ts';
import { ProcessedEvents } from './processed-events.ts';
import { WorkflowRuns } from './workflow-runs.ts';

/** The process_automation domain's services, all on its one database. */
export interface AutomationStores {
  jobs: JobStore;
  outbox: Outbox;
  workflows: WorkflowRuns;
  processedEvents: ProcessedEvents;
}

export function createAutomationStores(db: DomainDb): AutomationStores {
  return { jobs: new JobStore(db), outbox: new Outbox(db), workflows: new WorkflowRuns(db), processedEvents: new ProcessedEvents(db) };
}
