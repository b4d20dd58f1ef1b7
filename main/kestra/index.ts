// Kestra interoperability: the REST client, deploy and pull, ZIP export and import of flows,
// execution export, the gallery of sample flows, and a small ZIP writer/reader.
export * from './client';
export * from './deploy';
export * from './archive';
export * from './execution-export';
export * from './gallery';
export * from './source';
export * from './zip';
export * from './engine-ops';
export * from './namespace-files';
