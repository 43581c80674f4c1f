import { openTokenStore } from '../../app.js';
import { LOCAL_OWNER, parseScopes, type TokenRecord } from '../../storage/token-store.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { formatTable } from './jobs.js';

interface CreateOptions {
  name: string;
  owner: string;
  scopes: string;
  json?: boolean;
}

const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'));

function runCreate(ctx: CliContext, opts: CreateOptions): number {
  const store = openTokenStore(ctx.config());
  try {
    const wasOpen = store.tokens.countActive() === 0;
    const { token, record } = store.tokens.create({
      name: opts.name,
      owner: opts.owner,
      scopes: parseScopes(opts.scopes),
    });
    if (opts.json) {
      ctx.out(`${JSON.stringify({ token, ...record }, null, 2)}\n`);
      return 0;
    }
    ctx.out(`${token}\n`);
    ctx.err(
      `created token ${record.id} "${record.name}" for owner ${record.owner} with scopes ${record.scopes.join(', ')}\n` +
        '  It is shown only this once (only its hash is stored). Send it as: Authorization: Bearer <token>\n' +
        (wasOpen ? '  The server no longer runs open: every request now needs a token.\n' : ''),
    );
    return 0;
  } finally {
    store.close();
  }
}

function runList(ctx: CliContext, opts: { json?: boolean }): number {
  const store = openTokenStore(ctx.config());
  try {
    const list: TokenRecord[] = store.tokens.list();
    if (opts.json) {
      ctx.out(`${JSON.stringify(list, null, 2)}\n`);
      return 0;
    }
    if (list.length === 0) {
      ctx.out('no API tokens: a server on 127.0.0.1 runs open for the local user\n');
      return 0;
    }
    const rows = list.map((t) => [
      t.id,
      t.name,
      t.owner,
      t.scopes.join(','),
      when(t.createdAt),
      when(t.lastUsedAt),
      t.revokedAt === null ? 'active' : `revoked ${when(t.revokedAt)}`,
    ]);
    ctx.out(formatTable(['ID', 'NAME', 'OWNER', 'SCOPES', 'CREATED', 'LAST USED', 'STATE'], rows));
    return 0;
  } finally {
    store.close();
  }
}

function runRevoke(ctx: CliContext, id: string): number {
  const store = openTokenStore(ctx.config());
  try {
    const record = store.tokens.revoke(id);
    ctx.err(`revoked token ${record.id} "${record.name}" (owner ${record.owner})\n`);
    return 0;
  } finally {
    store.close();
  }
}

/** `reelforge token create | list | revoke`: API tokens for the server, stored hashed in the data folder. */
export const registerTokenCommands: RegisterCommands = (program, ctx) => {
  const token = program.command('token').description('manage API tokens for `reelforge serve`');
  token
    .command('create')
    .description('create an API token and print it (once)')
    .requiredOption('--name <name>', 'what the token is for, e.g. "laptop" or "ci"')
    .option('--owner <owner>', 'whose projects and assets the token sees', LOCAL_OWNER)
    .option('--scopes <list>', 'comma-separated: read, write, render, admin', 'read,write,render')
    .option('--json', 'print the token and its record as JSON')
    .action(ctx.action((opts: CreateOptions) => runCreate(ctx, opts)));
  token
    .command('list')
    .description('list API tokens (never their secrets)')
    .option('--json', 'print as JSON')
    .action(ctx.action((opts: { json?: boolean }) => runList(ctx, opts)));
  token
    .command('revoke <id>')
    .description('revoke an API token by its id (t_…)')
    .action(ctx.action((id: string) => runRevoke(ctx, id)));
};
