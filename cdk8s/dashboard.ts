// The dashboard (the web role) on the LAN: a Service and an Ingress for Traefik, which ships with k3s.
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-33';
import { labelsFor } from './common.js';
import type { ClusterOptions } from './options.js';
import { HTTP_PORT_NAME, roleName } from './role-deployment.js';

export class Dashboard extends Construct {
  constructor(scope: Construct, id: string, options: ClusterOptions) {
    super(scope, id);
    const name = roleName('web');
    const namespace = options.namespace;
    const labels = { ...labelsFor(name), 'app.kubernetes.io/component': 'web' };
    new k8s.KubeService(this, 'service', {
      metadata: { name, namespace, labels },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: k8s.IntOrString.fromString(HTTP_PORT_NAME) }] },
    });
    if (!options.ingress.enabled) return;
    new k8s.KubeIngress(this, 'ingress', {
      metadata: { name, namespace, labels },
      spec: {
        ingressClassName: options.ingress.className,
        rules: [
          {
            ...(options.ingress.host ? { host: options.ingress.host } : {}),
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { name: 'http' } } } }] },
          },
        ],
      },
    });
  }
}
