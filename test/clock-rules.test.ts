// The clock rules' fix where a statement runs again within one transaction: now() stands still there,
// so replacing clock_timestamp() is not neutral (fixtures show where findings land; this shows the
// fixes' safety, which fixtures do not check).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { findingsOf, ready } from './helpers/lint';

before(() => ready);

const loop = `create function public.renew_all() returns void language plpgsql as $$
declare r record;
begin
  for r in select id from public.leases loop
    update public.leases set locked_until = clock_timestamp() + interval '30 seconds' where id = r.id;
  end loop;
end $$;`;

const poll = `create function public.wait_visible() returns setof public.inbox language plpgsql as $$
begin
  loop
    return query select * from public.inbox where vt <= clock_timestamp() limit 1;
    exit when found;
    perform pg_sleep(0.1);
  end loop;
end $$;`;

const heartbeat = `create function public.beat(p_times int) returns void language plpgsql as $$
begin
  for i in 1 .. p_times loop
    insert into public.heartbeats (seen_at) values (clock_timestamp());
    perform pg_sleep(1);
  end loop;
end $$;`;

describe('clock rules in loops and polls', () => {
  it('offers the expiry fix in a loop without applying it automatically', () => {
    const [finding] = findingsOf('no-clock-timestamp-expiry', loop);
    assert.match(finding.message, /runs in a loop/);
    assert.equal(finding.fixes.length, 1);
    assert.equal(finding.fixes[0].safe, false);
  });

  it('offers no expiry fix in a loop that sleeps and polls, and says why', () => {
    const [finding] = findingsOf('no-clock-timestamp-expiry', poll);
    assert.match(finding.message, /sleeps and reads the clock again/);
    assert.deepEqual(finding.fixes, []);
    const [portuguese] = findingsOf('no-clock-timestamp-expiry', poll, { locale: 'pt-BR' });
    assert.match(portuguese.message, /laço que dorme e lê o relógio de novo/);
  });

  it("offers the expiry fix inside a function for review only: a caller's long transaction makes now() older", () => {
    const once = `create function public.settle() returns void language plpgsql as $$
begin
  perform pg_sleep(0.5);
  delete from public.leases where locked_until < clock_timestamp();
end $$;`;
    const [finding] = findingsOf('no-clock-timestamp-expiry', once);
    assert.equal(finding.fixes[0].safe, false);
    const alone = findingsOf('no-clock-timestamp-expiry', 'delete from public.leases where locked_until < clock_timestamp();');
    assert.equal(alone[0].fixes[0].safe, true, 'a statement that commits alone: now() is its own start');
  });

  it('keeps the persisted fix safe in a loop, and not automatic between sleeps', () => {
    const inLoop = findingsOf(
      'no-clock-timestamp-persisted',
      'do $$ begin for i in 1 .. 3 loop insert into public.events (at) values (clock_timestamp()); end loop; end $$;',
    );
    assert.equal(inLoop[0].fixes[0].safe, true);
    const [betweenSleeps] = findingsOf('no-clock-timestamp-persisted', heartbeat);
    assert.equal(betweenSleeps.fixes[0].safe, false);
  });
});
