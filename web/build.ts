import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/**
 * `npm run build:web`: bundles the browser pages (GraphiQL and the portal) with their
 * npm dependencies into web/dist, so the gateway serves them with no CDN and no internet.
 */
export const WEB_DIST = fileURLToPath(new URL('./dist/', import.meta.url));

export async function buildWeb(): Promise<void> {
  await build({
    entryPoints: { graphiql: fileURLToPath(new URL('./graphiql/main.tsx', import.meta.url)), portal: fileURLToPath(new URL('./portal/main.ts', import.meta.url)) },
    outdir: WEB_DIST,
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    sourcemap: false,
    legalComments: 'linked',
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.woff': 'file', '.woff2': 'file', '.svg': 'file' },
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildWeb();
  console.log('built web pages into web/dist');
}
