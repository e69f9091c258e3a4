import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HEALTH_LIVE_PATH, HEALTH_READY_PATH, SERVICES } from '@finmesh/tools-local-stack';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Service } from 'kubernetes-models/v1';
import { generatedFiles } from './generate';
import { applyJsonPatch, isObject, podSpecOf, renderKustomization, type KubernetesObject } from './kustomize';

const ROOT = resolve(__dirname, '..', '..', '..');

/** The kinds k8s/ uses, each with its schema-validating model. */
const MODELS: Record<string, (object: KubernetesObject) => { validate(): void }> = {
  'v1/Namespace': (object) => new Namespace(object as never),
  'v1/ConfigMap': (object) => new ConfigMap(object as never),
  'v1/Service': (object) => new Service(object as never),
  'apps/v1/Deployment': (object) => new Deployment(object as never),
  'batch/v1/Job': (object) => new Job(object as never),
  'policy/v1/PodDisruptionBudget': (object) => new PodDisruptionBudget(object as never),
  'autoscaling/v2/HorizontalPodAutoscaler': (object) => new HorizontalPodAutoscaler(object as never),
  'networking.k8s.io/v1/NetworkPolicy': (object) => new NetworkPolicy(object as never),
  'networking.k8s.io/v1/Ingress': (object) => new Ingress(object as never),
};

interface Container {
  name: string;
  image: string;
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: { name: string; key: string } } }>;
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
}

/** `| \`name\` | \`KEY\` |` rows of docs/deploy.md: what operators are told to create. */
function documentedKeys(): Map<string, Set<string>> {
  const documented = new Map<string, Set<string>>();
  for (const line of readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8').split('\n')) {
    const row = /^\|\s*`([a-z0-9-]+)`\s*\|\s*`([A-Z0-9_]+)`\s*\|/.exec(line);
    if (row?.[1] === undefined || row[2] === undefined) continue;
    documented.set(row[1], (documented.get(row[1]) ?? new Set()).add(row[2]));
  }
  return documented;
}

function containersOf(object: KubernetesObject): Container[] {
  const spec = podSpecOf(object);
  return Array.isArray(spec?.['containers']) ? (spec['containers'] as Container[]) : [];
}

describe('k8s/ (Kustomize base and overlays)', () => {
  it('has the generated manifests of the current registry (npm run deploy:generate)', () => {
    for (const [path, content] of generatedFiles()) {
      expect({ path, content: readFileSync(path, 'utf8') }).toEqual({ path, content });
    }
  });

  describe.each(['dev', 'prod'])('overlay %s', (overlay) => {
    const objects = renderKustomization(join(ROOT, 'k8s', 'overlays', overlay));
    const namespace = overlay === 'dev' ? 'finmesh-dev' : 'finmesh';
    const ofKind = (kind: string): KubernetesObject[] => objects.filter((object) => object.kind === kind);
    const deployments = ofKind('Deployment');
    const expectedApps = SERVICES.filter((service) => overlay === 'dev' || service.role !== 'sandbox').map((service) => service.app);

    it('renders objects that are valid against the Kubernetes schemas, unique, in the overlay namespace', () => {
      for (const object of objects) {
        const model = MODELS[`${object.apiVersion}/${object.kind}`];
        if (model === undefined) throw new Error(`${object.apiVersion}/${object.kind} has no schema check here`);
        expect(() => model(object).validate()).not.toThrow();
        if (object.kind !== 'Namespace') expect(object.metadata.namespace).toBe(namespace);
      }
      const ids = objects.map((object) => `${object.kind}/${object.metadata.name}`);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ofKind('Namespace').map((object) => [object.metadata.name, object.metadata.labels?.['pod-security.kubernetes.io/enforce']])).toEqual([[namespace, 'restricted']]);
    });

    it('the schema check does reject a broken Deployment', () => {
      const broken = structuredClone(deployments[0]) as KubernetesObject;
      const container = containersOf(broken)[0] as unknown as Record<string, unknown>;
      container['ports'] = [{ containerPort: 'eighty' }];
      expect(() => new Deployment(broken as never).validate()).toThrow(/containerPort/);
    });

    it('runs one Deployment per app of the registry (the sandbox in dev only) and the provisioning Job', () => {
      expect(deployments.map((deployment) => deployment.metadata.name).sort()).toEqual([...expectedApps].sort());
      const jobs = ofKind('Job').filter((object) => object.metadata.name === 'finmesh-provision');
      expect(jobs.flatMap(containersOf).map((container) => container.image)).toEqual([expect.stringMatching(/^finmesh\/provision:/)]);
    });

    it('probes the health endpoints every service serves, with requests, limits and a restricted security context', () => {
      for (const deployment of deployments) {
        for (const container of containersOf(deployment)) {
          expect(container.livenessProbe?.httpGet?.path).toBe(HEALTH_LIVE_PATH);
          expect(container.readinessProbe?.httpGet?.path).toBe(HEALTH_READY_PATH);
          expect(container.resources?.requests?.['cpu']).toBeDefined();
          expect(container.resources?.limits?.['memory']).toBeDefined();
          expect(container.securityContext).toMatchObject({
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          });
          expect(container.image).toMatch(new RegExp(`^finmesh/${deployment.metadata.name}:`));
        }
      }
      for (const job of ofKind('Job')) for (const container of containersOf(job)) expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true });
    });

    it('scales the ingress and the ledger with an HPA, and protects every Deployment with a PDB and a NetworkPolicy', () => {
      expect(ofKind('HorizontalPodAutoscaler').map((hpa) => hpa.metadata.name).sort()).toEqual(['ingress', 'ledger']);
      const names = (kind: string): string[] => ofKind(kind).map((object) => object.metadata.name);
      for (const deployment of deployments) {
        expect(names('PodDisruptionBudget')).toContain(deployment.metadata.name);
        expect(names('NetworkPolicy')).toContain(deployment.metadata.name);
      }
      const denyAll = ofKind('NetworkPolicy').find((policy) => policy.metadata.name === 'default-deny-all');
      expect(denyAll?.['spec']).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    });

    it('exposes only the callback ingress to the outside', () => {
      const ingresses = ofKind('Ingress');
      expect(ingresses).toHaveLength(1);
      const backends = JSON.stringify(ingresses[0]?.['spec']).match(/"service":\{"name":"([^"]+)"/g) ?? [];
      expect(new Set(backends)).toEqual(new Set(['"service":{"name":"ingress"']));
      for (const service of ofKind('Service')) expect(isObject(service['spec']) ? service['spec']['type'] : undefined).toBeUndefined();
      const publicPolicies = ofKind('NetworkPolicy').filter((policy) =>
        ((policy['spec'] as { ingress?: Array<{ from?: unknown }> }).ingress ?? []).some((rule) => rule.from === undefined),
      );
      expect(publicPolicies.map((policy) => policy.metadata.name)).toEqual(['ingress']);
    });

    it('references only ConfigMaps and Secrets that are rendered or documented, and sets every variable each app requires', () => {
      const documented = documentedKeys();
      const rendered = new Map(ofKind('ConfigMap').map((map) => [map.metadata.name, new Set(Object.keys((map['data'] as Record<string, string> | undefined) ?? {}))]));
      for (const workload of [...deployments, ...ofKind('Job')]) {
        for (const container of containersOf(workload)) {
          const available = new Set<string>();
          for (const source of container.envFrom ?? []) {
            const name = source.configMapRef?.name ?? '';
            const keys = rendered.get(name) ?? documented.get(name);
            if (keys === undefined) throw new Error(`${workload.metadata.name} reads ConfigMap ${name}, neither rendered nor documented in docs/deploy.md`);
            for (const key of keys) available.add(key);
          }
          for (const variable of container.env ?? []) {
            const secret = variable.valueFrom?.secretKeyRef;
            if (secret !== undefined) {
              expect({ secret: secret.name, key: secret.key, documented: documented.get(secret.name)?.has(secret.key) === true }).toEqual({ secret: secret.name, key: secret.key, documented: true });
            }
            available.add(variable.name);
          }
          const service = SERVICES.find((candidate) => candidate.app === workload.metadata.name);
          const missing = (service?.requiredEnv ?? []).filter((name) => !available.has(name));
          expect({ app: workload.metadata.name, missing }).toEqual({ app: workload.metadata.name, missing: [] });
        }
      }
    });
  });
});

describe('the Kustomize subset renderer', () => {
  it('applies JSON 6902 add, replace and remove (appending with -) without touching its input', () => {
    const input = { data: { a: '1', b: '2' }, list: [1, 2] };
    const output = applyJsonPatch(input, [
      { op: 'replace', path: '/data/a', value: 'x' },
      { op: 'remove', path: '/data/b' },
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'add', path: '/data/c~1d', value: 'y' },
    ]);
    expect(output).toEqual({ data: { a: 'x', 'c/d': 'y' }, list: [1, 2, 3] });
    expect(input).toEqual({ data: { a: '1', b: '2' }, list: [1, 2] });
    expect(() => applyJsonPatch(input, [{ op: 'replace', path: '/data/zz', value: 1 }])).toThrow(/does not exist/);
  });

  it('sets the namespace, labels and image tags, and refuses fields outside the subset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kustomize-'));
    try {
      writeFileSync(join(dir, 'objects.yaml'), [
        'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  selector: {}\n  template:\n    spec:\n      containers:\n        - name: c\n          image: finmesh/ledger:1\n',
      ].join('---\n'));
      writeFileSync(join(dir, 'kustomization.yaml'), 'namespace: n\nresources:\n  - objects.yaml\nlabels:\n  - pairs:\n      team: money\nimages:\n  - name: finmesh/ledger\n    newName: registry.local/ledger\n    newTag: "2"\n');
      const [namespace, deployment] = renderKustomization(dir);
      expect(namespace?.metadata).toEqual({ name: 'n', labels: { team: 'money' } });
      expect(deployment?.metadata).toEqual({ name: 'd', namespace: 'n', labels: { team: 'money' } });
      expect(containersOf(deployment as KubernetesObject)[0]?.image).toBe('registry.local/ledger:2');
      writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n  - objects.yaml\nconfigMapGenerator: []\n');
      expect(() => renderKustomization(dir)).toThrow(/configMapGenerator not supported/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
