/** The ConnectorRuntime in the NestJS container. */
export const CONNECTOR_RUNTIME = Symbol('finmesh-connector-runtime');
