#!/usr/bin/env node
/**
 * Offline schema validation of Kubernetes manifests (no cluster, no network):
 * every document of every *.yaml under the given directory (except
 * kustomization.yaml) is validated with the JSON-schema validators that the
 * npm packages `kubernetes-models` (core API) and `@kubernetes-models/keda`
 * (KEDA CRDs) ship, picked by apiVersion and kind. These packages are ESM
 * only, hence this script, which test/deploy/k8s.test.ts runs with node.
 *
 *   node test/deploy/validate-k8s.mjs deploy/k8s
 *
 * Prints one JSON array: [{ file, index, apiVersion, kind, name, module, ok, error? }].
 * Exit 0 when all are valid, 1 otherwise.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';

/** The package module of an apiVersion: `apps/v1` -> `kubernetes-models/apps/v1`. */
export function modelModule(apiVersion) {
  if (apiVersion.startsWith('keda.sh/')) return `@kubernetes-models/keda/${apiVersion}`;
  return `kubernetes-models/${apiVersion}`;
}

const dir = process.argv[2] ?? 'deploy/k8s';
const results = [];
for (const file of readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
  .sort()) {
  const docs = parseAllDocuments(readFileSync(join(dir, file), 'utf8'));
  for (const [index, doc] of docs.entries()) {
    if (doc.errors.length) {
      results.push({ file, index, ok: false, error: `YAML: ${doc.errors[0].message}` });
      continue;
    }
    const obj = doc.toJSON();
    if (obj === null) continue;
    const { apiVersion, kind } = obj;
    const entry = {
      file,
      index,
      apiVersion,
      kind,
      name: obj.metadata?.name,
      module: apiVersion ? modelModule(apiVersion) : null,
      ok: false,
    };
    try {
      const mod = await import(entry.module);
      const Model = mod[kind];
      if (typeof Model !== 'function') throw new Error(`no model ${kind} in ${entry.module}`);
      new Model(obj).validate();
      entry.ok = true;
    } catch (error) {
      entry.error = error instanceof Error ? error.message : String(error);
    }
    results.push(entry);
  }
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
