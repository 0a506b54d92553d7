/**
 * Which worker may serve which job. A job names the model its coordinator was started with (`modelId`): a checkpoint
 * path, or, for OpenAI-compatible servers, the sampler's `NAME@URL[,URL…]` — one URL, or a fleet of servers that
 * serve the same model (the coordinator's repeated `--endpoint`). A worker serves a job when the ids are equal, or
 * when the worker talks to one member of the job's fleet under the same model name: each server of a fleet gets its
 * own workers (and its own rate limits), and seeded samples do not depend on which server drew them.
 */

/** `NAME@URL,URL…` → the name and the URLs; null for an id that is not an endpoint's (a checkpoint path). */
export function parseEndpointModelId(id: string): { name: string; urls: string[] } | null {
  const at = id.lastIndexOf('@');
  if (at <= 0) return null;
  const urls = id.slice(at + 1).split(',');
  if (urls.length === 0 || !urls.every((u) => /^https?:\/\/\S+$/.test(u))) return null;
  return { name: id.slice(0, at), urls };
}

/** True when a worker whose sampler is `workerModelId` may serve a job for `jobModelId`. */
export function servesModel(workerModelId: string, jobModelId: string): boolean {
  if (workerModelId === jobModelId) return true;
  const worker = parseEndpointModelId(workerModelId);
  const job = parseEndpointModelId(jobModelId);
  if (worker === null || job === null || worker.name !== job.name) return false;
  return worker.urls.every((u) => job.urls.includes(u));
}
