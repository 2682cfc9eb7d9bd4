/**
 * A small, strict-enough XML reader and writer for the dialect PORTERS speaks, in one module for
 * the codec, the transport and the sandbox: the element tree (xmlTree), the reader (xmlReader,
 * no DTDs, a single forward scan) and the writer (xmlWriter, names checked, values escaped).
 */
export * from './xmlTree';
export * from './xmlReader';
export * from './xmlWriter';
