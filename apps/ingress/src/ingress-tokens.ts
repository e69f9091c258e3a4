/** Injection tokens of values that are not classes. */
export const INGRESS_CONFIG = Symbol('ingress-config');
export const PRODUCER_KAFKA = Symbol('ingress-producer-kafka');
