// What every object of the chart shares: labels, the restricted security context, resource shapes.
import { k8s } from 'cdk8s-plus-33';

export const PART_OF = 'stock-stream';

/** The user the Dockerfile creates (USER 10001:10001). */
export const APP_UID = 10001;

export function labelsFor(component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': component, 'app.kubernetes.io/part-of': PART_OF };
}

/** Requests and limits, the same shape on every container. */
export interface Sizing {
  readonly cpu: { readonly request: string; readonly limit: string };
  readonly memoryMi: { readonly request: number; readonly limit: number };
}

export function resources(sizing: Sizing, extraLimits: Record<string, k8s.Quantity> = {}): k8s.ResourceRequirements {
  return {
    requests: {
      cpu: k8s.Quantity.fromString(sizing.cpu.request),
      memory: k8s.Quantity.fromString(`${sizing.memoryMi.request}Mi`),
      ...extraLimits,
    },
    limits: {
      cpu: k8s.Quantity.fromString(sizing.cpu.limit),
      memory: k8s.Quantity.fromString(`${sizing.memoryMi.limit}Mi`),
      ...extraLimits,
    },
  };
}

/** Non-root, no privilege escalation, no capabilities, read-only root: the restricted Pod Security profile. */
export function restrictedContainer(readOnlyRootFilesystem = true): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function podSecurity(uid: number, extra: Partial<k8s.PodSecurityContext> = {}): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
    ...extra,
  };
}

export function volumeClaim(name: string, size: string, storageClassName: string | undefined): k8s.KubePersistentVolumeClaimProps {
  return {
    metadata: { name },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: k8s.Quantity.fromString(size) } },
      ...(storageClassName ? { storageClassName } : {}),
    },
  };
}
