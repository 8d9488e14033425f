// The version reported by the server, the CLI and SARIF output (kept equal to package.json's by a test).
export const SERVER_VERSION = '0.1.0';
