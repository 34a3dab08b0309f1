"""A cap on the SMTP sessions open at once to one outgoing server, over
every worker and every Odoo server on the database: a session holds one of
the server's numbered slots, a PostgreSQL advisory lock that dies with the
connection holding it (a killed worker frees its slot)."""
import time

from psycopg2.extensions import ISOLATION_LEVEL_AUTOCOMMIT

LOCK_SPACE = 0x6d670000  # first key of the slot locks ("mg"): LOCK_SPACE + slot, then the server's id
WAIT_STEP = 0.2  # seconds between two looks for a free slot


class SessionSlots:
    """``acquire`` a slot for a server (waiting a while for one to be freed),
    ``release`` it; ``close`` frees every slot this connection holds.

    The locks are taken on ``cr`` if given, else on a connection of their
    own, opened when first needed: never on the worker's transaction, whose
    failure would keep them on a pooled connection. In Odoo's HTTP test
    mode, one cursor is all there is."""

    def __init__(self, env, cr=None):
        self.env = env
        self.cr = cr
        self.own = False
        self.held = []

    def _cursor(self):
        if self.cr is None:
            if self.env.registry.in_test_mode():
                self.cr = self.env.cr
            else:
                self.cr = self.env.registry.cursor()
                self.cr.connection.set_isolation_level(ISOLATION_LEVEL_AUTOCOMMIT)
                self.own = True
        return self.cr

    def acquire(self, server_id, cap, wait=0):
        """A slot (0 to ``cap``-1) for ``server_id`` (0 for Odoo's
        configured server), or None if all stayed taken ``wait`` seconds."""
        until = time.monotonic() + wait
        cr = self._cursor()
        while True:
            for slot in range(max(cap, 1)):
                cr.execute('SELECT pg_try_advisory_lock(%s, %s)', [LOCK_SPACE + slot, server_id or 0])
                if cr.fetchone()[0]:
                    self.held.append((slot, server_id or 0))
                    return slot
            if time.monotonic() >= until:
                return None
            time.sleep(WAIT_STEP)

    def release(self, server_id, slot):
        key = (slot, server_id or 0)
        if key in self.held:
            self.held.remove(key)
            self.cr.execute('SELECT pg_advisory_unlock(%s, %s)', [LOCK_SPACE + slot, server_id or 0])

    def close(self):
        try:
            for slot, server_id in list(self.held):
                self.release(server_id, slot)
        finally:
            if self.own:
                self.cr.close()  # back to the pool: its locks are released above
