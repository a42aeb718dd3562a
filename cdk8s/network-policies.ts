// NetworkPolicies: only the pods that need a port reach it. Kafka from the roles on the bus, Redis from
// the roles that keep aggregates and the ledger, the dashboard from the LAN and the ingress controller.
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-33';
import { KAFKA_CLIENT_PORT, KAFKA_CONTROLLER_PORT, KAFKA_NAME, REDIS_NAME, REDIS_PORT } from './app-config.js';
import { PART_OF, labelsFor } from './common.js';
import type { ClusterOptions, Role } from './options.js';
import { HTTP_PORT_NAME, roleName } from './role-deployment.js';
import { KAFKA_ROLES, REDIS_ROLES } from './roles.js';

/** Pods of the chart's roles in the namespace, by their component label. */
function rolePods(roles: readonly Role[]): k8s.NetworkPolicyPeer {
  return {
    podSelector: {
      matchLabels: { 'app.kubernetes.io/part-of': PART_OF },
      matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: [...roles] }],
    },
  };
}

const pods = (component: string): k8s.NetworkPolicyPeer => ({ podSelector: { matchLabels: labelsFor(component) } });
const tcp = (port: number | string): k8s.NetworkPolicyPort => ({
  protocol: 'TCP',
  port: typeof port === 'number' ? k8s.IntOrString.fromNumber(port) : k8s.IntOrString.fromString(port),
});

/** The LAN ranges less the pod network inside them: a pod is not a browser on the LAN. */
export function lanPeers(options: ClusterOptions): k8s.NetworkPolicyPeer[] {
  const { lanCidrs, podCidr } = options.network;
  return lanCidrs.map((cidr) => ({ ipBlock: { cidr, ...(contains(cidr, podCidr) ? { except: [podCidr] } : {}) } }));
}

export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, options: ClusterOptions) {
    super(scope, id);
    const namespace = options.namespace;
    const policy = (name: string, selector: Record<string, string>, ingress: k8s.NetworkPolicyIngressRule[]) =>
      new k8s.KubeNetworkPolicy(this, name, {
        metadata: { name: `${name}-ingress`, namespace, labels: labelsFor('network-policy') },
        // Ingress only: egress stays open (exchanges, SMTP, SMS, webhooks, the MQTT broker are outside).
        spec: { podSelector: { matchLabels: selector }, policyTypes: ['Ingress'], ingress },
      });

    const busRoles = options.roles.filter((role) => KAFKA_ROLES.includes(role));
    if (!options.kafka.external) {
      policy(KAFKA_NAME, labelsFor(KAFKA_NAME), [
        {
          from: [
            ...(busRoles.length > 0 ? [rolePods(busRoles)] : []),
            ...(options.kafka.createTopics ? [pods('kafka-topics')] : []),
            // The brokers replicate to each other on the client listener.
            pods(KAFKA_NAME),
          ],
          ports: [tcp(KAFKA_CLIENT_PORT)],
        },
        // The KRaft controllers talk only among themselves.
        { from: [pods(KAFKA_NAME)], ports: [tcp(KAFKA_CONTROLLER_PORT)] },
      ]);
    }

    const storeRoles = options.roles.filter((role) => REDIS_ROLES.includes(role));
    if (!options.redis.external) {
      policy(REDIS_NAME, labelsFor(REDIS_NAME), storeRoles.length > 0 ? [{ from: [rolePods(storeRoles)], ports: [tcp(REDIS_PORT)] }] : []);
    }

    if (options.roles.includes('web')) {
      const web = roleName('web');
      policy(web, { ...labelsFor(web), 'app.kubernetes.io/component': 'web' }, [
        {
          from: [
            // Traefik (or another ingress controller) forwards the LAN's requests from its own pod.
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': options.network.ingressNamespace } } },
            ...lanPeers(options),
          ],
          ports: [tcp(HTTP_PORT_NAME)],
        },
      ]);
    }
  }
}

/** Whether IPv4 range `outer` holds all of `inner`. */
export function contains(outer: string, inner: string): boolean {
  const [outerBase, outerBits] = parseCidr(outer);
  const [innerBase, innerBits] = parseCidr(inner);
  if (innerBits < outerBits) return false;
  const mask = outerBits === 0 ? 0 : (~0 << (32 - outerBits)) >>> 0;
  return (outerBase & mask) >>> 0 === (innerBase & mask) >>> 0;
}

function parseCidr(cidr: string): [number, number] {
  const [address = '', bits = '32'] = cidr.split('/');
  const base = address.split('.').reduce((value, octet) => ((value << 8) | Number(octet)) >>> 0, 0);
  return [base, Number(bits)];
}
