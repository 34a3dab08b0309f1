"""A cap on the SMTP sessions open at once to one outgoing server, over
every worker and every Odoo server on the database: a session holds one of
the server's numbered slots, a PostgreSQL advisory lock that dies with the
connection holding it (a killed worker frees its slot)."""
import time

LOCK_SPACE = 0x6d670000  # first key of the slot locks ("mg"): LOCK_SPACE + slot, then the server's id
WAIT_STEP = 0.2  # seconds between two looks for a free slot


class SessionSlots:
    """``acquire`` a slot for a server (waiting a while for one to be freed),
    ``release`` it; ``close`` frees every slot this connection holds."""

    def __init__(self, cr):
        self.cr = cr  # a connection the worker keeps for the whole run (advisory locks are per session)
        self.held = []

    def acquire(self, server_id, cap, wait=0):
        """A slot (0 to ``cap``-1) for ``server_id`` (0 for Odoo's
        configured server), or None if all stayed taken ``wait`` seconds."""
        until = time.monotonic() + wait
        while True:
            for slot in range(max(cap, 1)):
                self.cr.execute('SELECT pg_try_advisory_lock(%s, %s)', [LOCK_SPACE + slot, server_id or 0])
                if self.cr.fetchone()[0]:
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
        for slot, server_id in list(self.held):
            self.release(server_id, slot)
