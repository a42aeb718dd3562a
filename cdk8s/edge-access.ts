// How the edge pod reaches /dev/i2c-1 and sysfs GPIO, as narrowly as k3s allows (docs/deployment.md weighs the options).
import { k8s } from 'cdk8s-plus-33';
import { HOST_GPIO_ROOT } from './app-config.js';
import { APP_UID, restrictedContainer } from './common.js';
import type { ClusterOptions } from './options.js';

export interface EdgePodPieces {
  readonly nodeSelector: Record<string, string>;
  readonly podSecurity: Partial<k8s.PodSecurityContext>;
  readonly containerSecurity: k8s.SecurityContext;
  readonly env: k8s.EnvVar[];
  readonly volumes: k8s.Volume[];
  readonly volumeMounts: k8s.VolumeMount[];
  readonly extendedResources: Record<string, k8s.Quantity>;
}

export function edgePodPieces(options: ClusterOptions): EdgePodPieces {
  const [key, value = ''] = options.edge.nodeLabel.split('=') as [string, string?];
  const common = {
    nodeSelector: { [key]: value },
    // The same two groups the systemd unit gets (firmware-config/): /dev/i2c-* is i2c's, the GPIO files gpio's.
    podSecurity: { supplementalGroups: [options.edge.i2cGroupId, options.edge.gpioGroupId] },
    env: [{ name: 'EDGE_HARDWARE', value: options.edge.hardware }],
  };
  if (options.edge.deviceAccess === 'privileged') {
    return {
      ...common,
      // Plain k3s admits a host device to a container only when privileged. The process stays an
      // unprivileged user with no capabilities, so the kernel still lets it open only what the
      // i2c and gpio groups may (the image has no setuid binaries to climb back to root with).
      containerSecurity: {
        privileged: true,
        runAsNonRoot: true,
        runAsUser: APP_UID,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
      volumes: [],
      volumeMounts: [],
      extendedResources: {},
    };
  }
  return {
    ...common,
    // No privilege: the device plugin adds /dev/i2c-1 alone to the container's device list.
    containerSecurity: { ...restrictedContainer(true), runAsUser: APP_UID },
    // sysfs GPIO is files, not a device: the host's export files and the chip's lines, writable by gpio.
    // /sys/class/gpio/gpioN links to ../../devices/platform/..., so both trees keep their relative place.
    volumes: [
      { name: 'host-gpio-class', hostPath: { path: '/sys/class/gpio', type: 'Directory' } },
      { name: 'host-gpio-devices', hostPath: { path: '/sys/devices/platform', type: 'Directory' } },
    ],
    volumeMounts: [
      { name: 'host-gpio-class', mountPath: HOST_GPIO_ROOT },
      { name: 'host-gpio-devices', mountPath: '/host/sys/devices/platform' },
    ],
    extendedResources: { [options.edge.devicePluginResource]: k8s.Quantity.fromNumber(1) },
  };
}
