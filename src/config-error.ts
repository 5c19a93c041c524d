/** A setting the service cannot start with; its message says what to change (and never quotes a secret). */
export class ConfigError extends Error {}
