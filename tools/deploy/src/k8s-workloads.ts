import { HEALTH_LIVE_PATH, HEALTH_READY_PATH, SERVICES, databaseUrlVariable, type ServiceDefinition } from '@finmesh/tools-local-stack';

/**
 * The Kubernetes workloads of k8s/base, generated from the service registry so that a service
 * that lands needs one registry entry (and its ConfigMap in k8s/base/app-config.yaml), then
 * `npm run deploy:generate`. A test fails when the committed files differ from what this makes.
 */
export type Manifest = Record<string, unknown>;

export const SHARED_CONFIG_MAP = 'finmesh-shared';
export const PROVISION_SECRET = 'finmesh-provision-secrets';
export const IMAGE_TAG = '0.1.0';
const PART_OF = { 'app.kubernetes.io/part-of': 'finmesh' };

/** Per-role sizing; the ingress and the ledger scale out with an HPA. */
interface Sizing {
  replicas: number;
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
  autoscale?: { min: number; max: number; cpuPercent: number };
}

function sizingOf(service: ServiceDefinition): Sizing {
  switch (service.role) {
    case 'ingress':
      return { replicas: 2, requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' }, autoscale: { min: 2, max: 10, cpuPercent: 70 } };
    case 'ledger':
      return { replicas: 2, requests: { cpu: '500m', memory: '384Mi' }, limits: { cpu: '2', memory: '768Mi' }, autoscale: { min: 2, max: 6, cpuPercent: 70 } };
    case 'connector':
      return { replicas: 1, requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } };
    case 'sandbox':
      return { replicas: 1, requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } };
  }
}

export function labelsOf(app: string): Record<string, string> {
  return { 'app.kubernetes.io/name': app, ...PART_OF };
}

export function configMapName(app: string): string {
  return `${app}-config`;
}

export function secretName(app: string): string {
  return `${app}-secrets`;
}

/** A connector's provider endpoint and identity: per environment (dev: the sandbox, in git; prod: created by the operator). */
export function providerConfigMapName(app: string): string {
  return `${app}-provider`;
}

/** Secret variables a service needs (required) or may use (optional: the pod starts without them). */
export function secretEnvOf(service: ServiceDefinition): Array<{ name: string; optional: boolean }> {
  return service.secretEnv.map((name) => ({ name, optional: !service.requiredEnv.includes(name) }));
}

function container(service: ServiceDefinition, sizing: Sizing): Manifest {
  const ports = [{ name: 'http', containerPort: service.port }, ...(service.adminPort === undefined ? [] : [{ name: 'admin', containerPort: service.adminPort }])];
  return {
    name: service.app,
    image: `finmesh/${service.app}:${IMAGE_TAG}`,
    ports,
    envFrom: [
      { configMapRef: { name: SHARED_CONFIG_MAP } },
      { configMapRef: { name: configMapName(service.app) } },
      ...(service.role === 'connector' ? [{ configMapRef: { name: providerConfigMapName(service.app) } }] : []),
    ],
    env: [
      { name: 'PORT', value: String(service.port) },
      ...secretEnvOf(service).map(({ name, optional }) => ({
        name,
        valueFrom: { secretKeyRef: { name: secretName(service.app), key: name, ...(optional ? { optional: true } : {}) } },
      })),
    ],
    startupProbe: { httpGet: { path: HEALTH_LIVE_PATH, port: 'http' }, periodSeconds: 2, failureThreshold: 60 },
    livenessProbe: { httpGet: { path: HEALTH_LIVE_PATH, port: 'http' }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: HEALTH_READY_PATH, port: 'http' }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
    resources: { requests: sizing.requests, limits: sizing.limits },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

export function workloadsOf(service: ServiceDefinition): Manifest[] {
  const sizing = sizingOf(service);
  const labels = { ...labelsOf(service.app), 'finmesh.io/role': service.role };
  const selector = { matchLabels: { 'app.kubernetes.io/name': service.app } };
  const manifests: Manifest[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: service.app, labels },
      spec: {
        ...(sizing.autoscale === undefined ? { replicas: sizing.replicas } : {}),
        selector,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: 30,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [container(service, sizing)],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service.app, labels },
      spec: {
        selector: { 'app.kubernetes.io/name': service.app },
        ports: [
          { name: 'http', port: service.port, targetPort: 'http' },
          ...(service.adminPort === undefined ? [] : [{ name: 'admin', port: service.adminPort, targetPort: 'admin' }]),
        ],
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: service.app, labels },
      // A single replica may be evicted (else node drains would block); scaled services keep one up.
      spec: { selector, ...(sizing.autoscale === undefined ? { maxUnavailable: 1 } : { minAvailable: 1 }) },
    },
  ];
  if (sizing.autoscale !== undefined) {
    manifests.push({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: service.app, labels },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: service.app },
        minReplicas: sizing.autoscale.min,
        maxReplicas: sizing.autoscale.max,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: sizing.autoscale.cpuPercent } } }],
      },
    });
  }
  return manifests;
}

/** Who may talk to a service, and to what it may talk (on top of the namespace's default deny). */
export function networkPolicyOf(service: ServiceDefinition): Manifest {
  const podSelector = { matchLabels: { 'app.kubernetes.io/name': service.app } };
  const sameNamespace = [{ podSelector: {} }];
  const ingressRules =
    service.exposure === 'public'
      ? [
          // The callback door: reachable from outside the namespace (the Ingress controller), nothing else.
          { ports: [{ port: service.port, protocol: 'TCP' }] },
          ...(service.adminPort === undefined ? [] : [{ from: sameNamespace, ports: [{ port: service.adminPort, protocol: 'TCP' }] }]),
        ]
      : [{ from: sameNamespace, ports: [{ port: service.port, protocol: 'TCP' }] }];
  const kafkaAndPostgres = [
    { ports: [{ port: 9092, protocol: 'TCP' }, { port: 9093, protocol: 'TCP' }] },
    ...(service.database === undefined ? [] : [{ ports: [{ port: 5432, protocol: 'TCP' }] }]),
  ];
  // A connector also reaches its provider over HTTPS (the dev overlay adds the sandbox instead).
  const provider = service.role === 'connector' ? [{ ports: [{ port: 443, protocol: 'TCP' }] }] : [];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: service.app, labels: labelsOf(service.app) },
    spec: {
      podSelector,
      policyTypes: ['Ingress', 'Egress'],
      ingress: ingressRules,
      egress: [...kafkaAndPostgres, ...provider],
    },
  };
}

/** Topics and every service's migrations, before the services roll out (run it per release). */
export function provisionJob(services: readonly ServiceDefinition[]): Manifest {
  const labels = labelsOf('finmesh-provision');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'finmesh-provision', labels },
    spec: {
      backoffLimit: 6,
      ttlSecondsAfterFinished: 86_400,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'OnFailure',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'provision',
              image: `finmesh/provision:${IMAGE_TAG}`,
              envFrom: [{ configMapRef: { name: SHARED_CONFIG_MAP } }],
              env: services
                .filter((service) => service.database !== undefined)
                .map((service) => ({
                  name: databaseUrlVariable(service),
                  valueFrom: { secretKeyRef: { name: PROVISION_SECRET, key: databaseUrlVariable(service) } },
                })),
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
              securityContext: {
                runAsNonRoot: true,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
              },
            },
          ],
        },
      },
    },
  };
}

/** Egress of the provisioning job: Kafka and PostgreSQL only. */
export function provisionNetworkPolicy(): Manifest {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'finmesh-provision', labels: labelsOf('finmesh-provision') },
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'finmesh-provision' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [{ ports: [{ port: 9092, protocol: 'TCP' }, { port: 9093, protocol: 'TCP' }] }, { ports: [{ port: 5432, protocol: 'TCP' }] }],
    },
  };
}

/** The services of k8s/base: every registry service but the sandbox (the dev overlay adds it). */
export function baseServices(): ServiceDefinition[] {
  return SERVICES.filter((service) => service.role !== 'sandbox');
}

/** File name → manifests, for k8s/base/generated/. */
export function generatedBase(): Map<string, Manifest[]> {
  const files = new Map<string, Manifest[]>();
  for (const service of baseServices()) files.set(`${service.app}.yaml`, [...workloadsOf(service), networkPolicyOf(service)]);
  files.set('finmesh-provision.yaml', [provisionJob(baseServices()), provisionNetworkPolicy()]);
  return files;
}

/** The provider sandbox for the dev overlay (k8s/overlays/dev/generated/). */
export function generatedSandbox(): Manifest[] {
  const sandbox = SERVICES.find((service) => service.role === 'sandbox');
  if (sandbox === undefined) return [];
  const [deployment, service, pdb] = workloadsOf(sandbox);
  const policy = networkPolicyOf(sandbox);
  // The sandbox calls back into the ingress (Indodax withdrawal checks, FinDIGI webhooks).
  (policy['spec'] as { egress: unknown[] }).egress = [
    { to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress' } } }], ports: [{ port: 8080, protocol: 'TCP' }] },
  ];
  return [deployment, service, pdb, policy].filter((manifest): manifest is Manifest => manifest !== undefined);
}
