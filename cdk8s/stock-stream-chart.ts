// The whole system as one chart: namespace, config, Kafka, Redis, the roles, the dashboard and who may reach what. Synthesizes nothing by itself.
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-33';
import type { Construct } from 'constructs';
import { AppConfigMap, buildAppConfig, type AppConfig } from './app-config.js';
import { labelsFor } from './common.js';
import { Dashboard } from './dashboard.js';
import { Kafka } from './kafka.js';
import { KafkaTopicsJob } from './kafka-topics-job.js';
import { NetworkPolicies } from './network-policies.js';
import type { ClusterOptions } from './options.js';
import { Redis } from './redis.js';
import { RoleDeployment } from './role-deployment.js';

export class StockStreamChart extends Chart {
  readonly config: AppConfig;

  constructor(scope: Construct, id: string, options: ClusterOptions) {
    super(scope, id, { disableResourceNameHashes: true });
    // First: a bad config value fails synth here, before any object exists.
    this.config = buildAppConfig(options);

    new k8s.KubeNamespace(this, 'namespace', { metadata: { name: options.namespace, labels: labelsFor('namespace') } });
    new AppConfigMap(this, 'config', this.config, options.namespace);
    if (!options.kafka.external) new Kafka(this, 'kafka', options);
    if (options.kafka.createTopics) new KafkaTopicsJob(this, 'kafka-topics', options, this.config.parsed);
    if (!options.redis.external) new Redis(this, 'redis', options);
    for (const role of options.roles) new RoleDeployment(this, role, role, options, this.config);
    if (options.roles.includes('web')) new Dashboard(this, 'dashboard', options);
    if (options.network.policies) new NetworkPolicies(this, 'network-policies', options);
  }
}
