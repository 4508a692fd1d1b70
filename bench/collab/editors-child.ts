/**
 * A child process of the collab bench's editors scenario (forked by bench/collab/editors-procs.ts): it runs its share
 * of the editors (bench/collab/editor.ts, as in one process) on its own connections, steps through the scenario as the
 * parent says, and reports its editors' edit times, its replicas' arrivals, its sends and its editors' texts.
 */
import { poster } from '../fanout/graphql.js';
import { Editor, SendStats } from './editor.js';
import type { ChildCmd, ChildEv } from './editors-procs.js';
import { Arrivals, EditClock } from './replica.js';
import { openAll, typeUntil, waitFor } from './typing.js';

const send = (ev: ChildEv) => process.send?.(ev);

const clock = new EditClock();
/** Every editor's client id, in every child (set by `open`): their clocks are edits. */
const editorIds = new Set<number>();
const arrivals = new Arrivals((client) => editorIds.has(client));
const stats = new SendStats();
const errors: string[] = [];
let editors: { index: number; editor: Editor }[] = [];
let closeHttp = () => {};

async function handle(cmd: ChildCmd): Promise<void> {
  switch (cmd.cmd) {
    case 'setup': {
      const { call, close } = poster(cmd.url);
      closeHttp = close;
      editors = cmd.editors.map((s) => ({
        index: s.index,
        editor: new Editor(s.name, cmd.url, s.token, cmd.documentId, s.marker, call, arrivals, clock, stats, (w) => errors.push(w)),
      }));
      send({ ev: 'ready', clientIds: editors.map((e) => [e.index, e.editor.replica.doc.clientID]) });
      return;
    }
    case 'open':
      for (const id of cmd.clientIds) editorIds.add(id);
      for (const e of editors) e.editor.above = cmd.clientIds.slice(0, e.index);
      await openAll(editors.map((e) => e.editor));
      send({ ev: 'opened' });
      return;
    case 'type': {
      const { maxLagMs } = await typeUntil(
        editors.map((e) => e.editor),
        cmd.rate,
        cmd.until,
      );
      send({ ev: 'typed', maxLagMs, typed: editors.map((e) => [e.editor.replica.doc.clientID, e.editor.typed]) });
      return;
    }
    case 'drain':
      send({ ev: 'sent', ms: await waitFor(() => editors.every((e) => e.editor.idle), cmd.timeoutMs) });
      return;
    case 'arrive': {
      const done = () =>
        editors.every(({ editor: r }) =>
          cmd.typed.every(([client, n]) => client === r.replica.doc.clientID || r.replica.seen(client) >= n),
        );
      send({ ev: 'arrived', ms: await waitFor(done, cmd.timeoutMs) });
      return;
    }
    case 'report':
      send({
        ev: 'report',
        editors: editors.map(({ index, editor: e }) => ({
          index,
          clientId: e.replica.doc.clientID,
          typed: e.typed,
          text: e.replica.text.toString(),
          seen: [...editorIds].map((client) => [client, e.replica.seen(client)]),
        })),
        stamps: clock.times,
        // Its data only: the class's predicate does not cross IPC.
        arrivals: { clients: arrivals.clients, clocks: arrivals.clocks, ats: arrivals.ats, repeats: arrivals.repeats, gaps: arrivals.gaps },
        stats,
        errors,
      });
      return;
    case 'close':
      await Promise.all(editors.map((e) => e.editor.close()));
      closeHttp();
      process.exit(0);
  }
}

process.on('message', (cmd: ChildCmd) => {
  handle(cmd).catch((err: unknown) => send({ ev: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
});
// The parent went away: nothing to measure for.
process.on('disconnect', () => process.exit(0));
