// What a role or a dependency says of itself on /healthz: up or not, and why in a few words.

export interface HealthStatus {
  readonly ok: boolean;
  readonly detail: string;
}

export interface HealthCheck {
  /** A dependency or part of the role: "kafka", "redis", "ingest" ... */
  readonly name: string;
  check(): HealthStatus | Promise<HealthStatus>;
}
