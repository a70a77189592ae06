// Builds better-sqlite3 for Electron's own Node ABI into node_modules/.electron-native, beside
// the copy that `npm ci` built for plain Node. The desktop app in development loads this one
// (electron/main passes it as better-sqlite3's nativeBinding); tests and `npm run serve` keep
// the plain-Node build, so neither command breaks the other. Packaged apps are rebuilt by
// electron-builder itself. Needs the internet once, for Electron's headers.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rebuild } from '@electron/rebuild';

const root = resolve(import.meta.dirname, '..');

// Electron's own program is a separate download (from GitHub, at install or first run). Without
// it electron-vite prints a line that looks like success and then a stack trace: say it plainly.
const electronDir = join(root, 'node_modules/electron');
const pathFile = join(electronDir, 'path.txt');
if (!existsSync(pathFile) || !existsSync(join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()))) {
  console.error(
    "Electron's program is not downloaded (node_modules/electron/dist is missing), so the desktop app cannot start.\n" +
      'With the internet, run `node node_modules/electron/install.js` once (or `npm ci` again), then `npm run dev`.\n' +
      'Meanwhile `npm run serve` runs the same till in a browser.',
  );
  process.exit(1);
}
const electronVersion = JSON.parse(
  readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8'),
).version;
const sqliteVersion = JSON.parse(
  readFileSync(join(root, 'node_modules/better-sqlite3/package.json'), 'utf8'),
).version;
const out = join(root, 'node_modules/.electron-native');
const stamp = join(out, 'stamp.json');
const want = JSON.stringify({ electronVersion, sqliteVersion });
const binding = join(out, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');

if (existsSync(binding) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) process.exit(0);

console.log(`Building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (once)…`);
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'node_modules'), { recursive: true });
cpSync(join(root, 'node_modules/better-sqlite3'), join(out, 'node_modules/better-sqlite3'), {
  recursive: true,
});
writeFileSync(
  join(out, 'package.json'),
  JSON.stringify({
    name: 'electron-native',
    private: true,
    dependencies: { 'better-sqlite3': sqliteVersion },
  }),
);
try {
  await rebuild({ buildPath: out, electronVersion, onlyModules: ['better-sqlite3'], force: true });
} catch (err) {
  console.error(
    `Could not build better-sqlite3 for Electron: ${err instanceof Error ? err.message : String(err)}\n` +
      'It needs a C++ toolchain (python3, make, g++ / Visual Studio Build Tools) and the internet once for ' +
      "Electron's headers. `npm run serve` works without it.",
  );
  process.exit(1);
}
writeFileSync(stamp, want);
console.log('Done.');
