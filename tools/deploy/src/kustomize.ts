import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * A renderer for the subset of Kustomize that k8s/ uses, so tests can check what
 * `kubectl apply -k` would apply without a kustomize binary. Supported, with Kustomize's meaning:
 * - `resources`: YAML files (several documents each) and directories holding a kustomization.yaml;
 * - `namespace`: set on every namespaced object (cluster-scoped kinds such as Namespace untouched);
 * - `labels` with `pairs` (added to metadata.labels only: includeSelectors/includeTemplates false);
 * - `images` with `name`, `newName`, `newTag` (containers and initContainers of pod templates);
 * - `patches` with `path` or `patch`, `target.kind` and `target.name` (exact), JSON 6902
 *   operations `add`, `replace`, `remove`.
 * Anything else in a kustomization.yaml is refused, so k8s/ cannot drift out of what is checked.
 * Order: a kustomization's resources, then its patches, images, labels and namespace, as Kustomize
 * applies its transformers after loading resources.
 */
export type KubernetesObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } };

interface Kustomization {
  resources?: string[];
  namespace?: string;
  labels?: Array<{ pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }>;
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
  patches?: Array<{ path?: string; patch?: string; target: { kind: string; name: string } }>;
}

type PatchOperation = { op: 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels', 'images', 'patches']);
const CLUSTER_SCOPED_KINDS = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass', 'PriorityClass']);

export function renderKustomization(directory: string): KubernetesObject[] {
  const file = join(directory, 'kustomization.yaml');
  if (!existsSync(file)) throw new Error(`${directory} has no kustomization.yaml`);
  const kustomization = parseSingle(file) as Kustomization & Record<string, unknown>;
  const unsupported = Object.keys(kustomization).filter((key) => !SUPPORTED_FIELDS.has(key));
  if (unsupported.length > 0) throw new Error(`${file}: ${unsupported.join(', ')} not supported by tools/deploy/src/kustomize.ts`);

  let objects: KubernetesObject[] = [];
  for (const resource of kustomization.resources ?? []) {
    const path = resolve(directory, resource);
    objects.push(...(statSync(path).isDirectory() ? renderKustomization(path) : readObjects(path)));
  }
  for (const patch of kustomization.patches ?? []) {
    const operations = (patch.path !== undefined ? parseSingle(resolve(directory, patch.path)) : parseText(patch.patch ?? '', file)) as PatchOperation[];
    if (!Array.isArray(operations)) throw new Error(`${file}: only JSON 6902 patches (a list of operations) are supported`);
    const targets = objects.filter((object) => object.kind === patch.target.kind && object.metadata.name === patch.target.name);
    if (targets.length === 0) throw new Error(`${file}: patch target ${patch.target.kind}/${patch.target.name} not found`);
    objects = objects.map((object) => (targets.includes(object) ? applyJsonPatch(object, operations) : object));
  }
  for (const image of kustomization.images ?? []) objects = objects.map((object) => withImage(object, image));
  for (const label of kustomization.labels ?? []) {
    if (label.includeSelectors === true || label.includeTemplates === true) throw new Error(`${file}: labels apply to metadata only here`);
    objects = objects.map((object) => ({ ...object, metadata: { ...object.metadata, labels: { ...object.metadata.labels, ...label.pairs } } }));
  }
  const namespace = kustomization.namespace;
  if (namespace !== undefined) {
    objects = objects.map((object) => (CLUSTER_SCOPED_KINDS.has(object.kind) ? object : { ...object, metadata: { ...object.metadata, namespace } }));
  }
  return objects;
}

function readObjects(file: string): KubernetesObject[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  const objects: KubernetesObject[] = [];
  for (const document of documents) {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message ?? 'YAML error'}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (!isObject(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string' || !isObject(value.metadata) || typeof value.metadata.name !== 'string') {
      throw new Error(`${file}: every document must be a Kubernetes object with apiVersion, kind and metadata.name`);
    }
    objects.push(value as KubernetesObject);
  }
  return objects;
}

function parseSingle(file: string): unknown {
  return parseText(readFileSync(file, 'utf8'), file);
}

function parseText(text: string, source: string): unknown {
  const documents = parseAllDocuments(text);
  if (documents.length !== 1 || documents[0] === undefined) throw new Error(`${source}: expected one YAML document`);
  if (documents[0].errors.length > 0) throw new Error(`${source}: ${documents[0].errors[0]?.message ?? 'YAML error'}`);
  return documents[0].toJS();
}

/** RFC 6902 add/replace/remove on a copy; paths are JSON pointers (`~1` is `/`, `~0` is `~`, `-` appends). */
export function applyJsonPatch<T>(document: T, operations: readonly PatchOperation[]): T {
  const copy = structuredClone(document) as unknown;
  for (const operation of operations) {
    const tokens = operation.path.split('/').slice(1).map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = tokens.pop();
    if (last === undefined) throw new Error(`patch path ${operation.path} points at the whole document`);
    let parent: unknown = copy;
    for (const token of tokens) {
      parent = Array.isArray(parent) ? parent[Number(token)] : isObject(parent) ? parent[token] : undefined;
      if (parent === undefined) throw new Error(`patch path ${operation.path}: ${token} does not exist`);
    }
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new Error(`patch path ${operation.path}: bad index`);
      if (operation.op === 'add') parent.splice(index, 0, operation.value);
      else if (index >= parent.length) throw new Error(`patch path ${operation.path}: no element ${index}`);
      else if (operation.op === 'replace') parent[index] = operation.value;
      else parent.splice(index, 1);
    } else if (isObject(parent)) {
      if (operation.op !== 'add' && !(last in parent)) throw new Error(`patch path ${operation.path}: ${last} does not exist`);
      if (operation.op === 'remove') delete parent[last];
      else parent[last] = operation.value;
    } else {
      throw new Error(`patch path ${operation.path} does not lead to an object or a list`);
    }
  }
  return copy as T;
}

function withImage(object: KubernetesObject, image: { name: string; newName?: string; newTag?: string }): KubernetesObject {
  const copy = structuredClone(object);
  const podSpec = podSpecOf(copy);
  if (podSpec === undefined) return object;
  for (const key of ['containers', 'initContainers']) {
    const containers = podSpec[key];
    if (!Array.isArray(containers)) continue;
    for (const container of containers) {
      if (!isObject(container) || typeof container.image !== 'string') continue;
      const [name, tag] = splitImage(container.image);
      if (name !== image.name) continue;
      container.image = `${image.newName ?? name}${image.newTag !== undefined ? `:${image.newTag}` : tag === undefined ? '' : `:${tag}`}`;
    }
  }
  return copy;
}

/** The pod spec of a Deployment, Job (and other templated workloads), or of a Pod itself. */
export function podSpecOf(object: Record<string, unknown>): Record<string, unknown> | undefined {
  const spec = object['spec'];
  if (!isObject(spec)) return undefined;
  if (object['kind'] === 'Pod') return spec;
  const template = spec['template'];
  if (isObject(template) && isObject(template['spec'])) return template['spec'];
  return undefined;
}

function splitImage(image: string): [string, string | undefined] {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? [image.slice(0, colon), image.slice(colon + 1)] : [image, undefined];
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
