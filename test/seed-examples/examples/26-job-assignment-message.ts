// API reference › Message Types › JobAssignmentMessage
// Seed omission: the exported types and the checks the declarations are held to.
import type { JobAssignment as ExportedAssignment, JobAssignmentMessage as ExportedMessage, WebAppMessage } from '$lib/server/socket/types';
import type { Assignable } from '../check';

interface JobAssignmentMessage {
  type: 'job_assignment';
  timestamp: string;
  data: JobAssignment;
}

interface JobAssignment {
  job_id: string;
  job_type: 'discover_namespaces' | 'crawl_user' | 'crawl_group' | 'crawl_project';
  entity_id?: string;
  namespace_path?: string;
  gitlab_host: string;
  access_token: string;
  priority: number;
  resume: boolean;
}

// Checks added: the seed's types and the exported ones are interchangeable, and the message is a WebAppMessage.
export const assignmentMatches: [Assignable<JobAssignment, ExportedAssignment>, Assignable<ExportedAssignment, JobAssignment>] = [true, true];
export const assignmentMessageMatches: [Assignable<JobAssignmentMessage, ExportedMessage>, Assignable<ExportedMessage, JobAssignmentMessage>] = [true, true];
export const isWebAppMessage: Assignable<JobAssignmentMessage, WebAppMessage> = true;
