// Imported first by main.ts, and synchronous, so that it runs before any other module of the demo is
// evaluated: on a Node.js older than MikroORM 7 needs (22.17, @kosha/orm-mikro's `engines`), say so and
// stop — better-sqlite3 would otherwise crash the process without a word.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 17)) {
  console.error(
    `Kosha demo: @kosha/orm-mikro needs Node.js >= 22.17, but this is Node.js v${process.versions.node} ` +
      `(${process.execPath}). Run the demo with \`npm run demo\` (or \`pnpm demo\`), which uses the Node 24 ` +
      'this repository pins as a dev dependency, or install a newer Node: `nvm install 24`.',
  );
  process.exit(1);
}

export {};
