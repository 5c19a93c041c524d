/**
 * Applies a provisioning file (CONNECTIONS_FILE at start, `npm run apply`) through the provisioning
 * command: the file's entries, in REST names, become connection documents; the command checks and
 * applies them (src/commands/connections/provisioning.ts). Every problem, of the file's form or of the rules,
 * is reported with its line, and nothing is written while there is one.
 */
import {
  type ApplyReport,
  type Provisioning,
  type ProvisioningEntry,
  ProvisioningRejectedError,
} from '../commands/connections/provisioning.ts';
import { DOCUMENT_SHAPE, inputFromBody, restFieldPath } from '../rest/connection-form.ts';
import { type FileProblem, ProvisioningFileError, readProvisioningFile } from './file.ts';

export async function applyProvisioningFile(
  provisioning: Provisioning,
  path: string,
  prune: boolean,
): Promise<ApplyReport> {
  const file = readProvisioningFile(path);
  const problems: FileProblem[] = [...file.problems];
  const entries: ProvisioningEntry[] = [];
  const where = (index: number, field: string) => `connections[${index}]${field ? `.${field}` : ''}`;
  const lineOf = (index: number, field: string) => file.entries.find((e) => e.index === index)?.lineOf(field) ?? 0;
  for (const entry of file.entries) {
    const converted = inputFromBody(entry.body, DOCUMENT_SHAPE);
    if ('input' in converted) entries.push({ index: entry.index, input: converted.input });
    else {
      for (const { field, message } of converted.problems) {
        problems.push({ where: where(entry.index, field), line: entry.lineOf(field), message });
      }
    }
  }
  try {
    const { workspaces, secretReferences } = file;
    if (problems.length === 0) return await provisioning.provision(entries, { prune, workspaces, secretReferences });
    // Problems of form already: the rules are checked too, so that the file's every problem is listed.
    provisioning.checkProvisioning(entries, secretReferences);
  } catch (error) {
    if (!(error instanceof ProvisioningRejectedError)) throw error;
    for (const { index, field, message } of error.problems) {
      const restField = restFieldPath(field);
      problems.push({ where: where(index, restField), line: lineOf(index, restField), message });
    }
  }
  throw new ProvisioningFileError(
    path,
    problems.sort((a, b) => a.line - b.line),
  );
}
