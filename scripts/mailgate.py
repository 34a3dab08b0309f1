#!/usr/bin/env python3
"""Deliver one email, read from standard input, to an Odoo database.

A Python 3 port of Odoo 17's addons/mail/static/scripts/odoo-mailgate.py (that
script imports the Python 2 module ``xmlrpclib`` and so does not run under
Python 3), with the same options: it calls ``mail.thread.message_process`` over
XML-RPC, which routes the message to the group whose alias it is addressed to.

    python3 scripts/mailgate.py -d wmg_demo -u 2 -p admin --host 127.0.0.1 --port 8069 < post.eml

Postfix runs it as the `odoo` pipe of deploy/postfix/master.cf.

It prints what became of the mail: delivered (the record it went to), or
dropped as a duplicate of a message already received (Odoo keeps one mail
per Message-ID), or handled without a post (a delivery report, a loop, a
refusal Odoo mailed back to the sender).

Exit status: 0 delivered, dropped or handled; 1 Odoo refused the message because no alias or
group takes it (printed on stderr: the MTA bounces it); 75 (EX_TEMPFAIL) for
anything else: Odoo unreachable, a login refused (said so, with the user
and the database), a wrong option, a server error (Postfix
keeps the message queued and retries later). Errors are one line on stderr,
never a traceback (the MTA may quote it to the sender).
"""
import argparse
import email.parser
import email.policy
import sys
import xmlrpc.client

EX_REFUSED = 1
EX_TEMPFAIL = 75
FAULT_ACCESS_DENIED = 3  # Odoo's fault code for a refused login (odoo/addons/base/controllers/rpc.py)
# how Odoo's mail gateway says that no alias or group takes the message
ROUTING_REFUSALS = (
    'No possible route found for incoming message',
    'Mailbox unavailable',
    'does not accept incoming emails',
    'Incoming mail must be addressed to an existing mail group',
)


def fault_line(fault):
    """The last line of a fault's text: the exception, without the server's traceback."""
    lines = [line.strip() for line in str(fault.faultString).splitlines() if line.strip()]
    return lines[-1] if lines else f'fault {fault.faultCode}'


def is_routing_refusal(fault):
    return fault.faultCode == 1 and any(text in fault_line(fault) for text in ROUTING_REFUSALS)


class Parser(argparse.ArgumentParser):
    def error(self, message):
        # a mistake in the MTA's command line: the mail stays queued until it is fixed
        self.exit(EX_TEMPFAIL, f'error: {self.prog}: {message}; retry later\n')


def main(argv=None):
    parser = Parser(description='Deliver an email read from stdin to Odoo.')
    parser.add_argument('-d', '--database', default='odoo', help='Odoo database (default: %(default)s)')
    parser.add_argument('-u', '--userid', type=int, default=2,
                        help='Odoo user id (default: %(default)s, the admin of a new database)')
    parser.add_argument('-p', '--password', default='admin', help='password or API key (default: %(default)s)')
    parser.add_argument('--host', default='localhost', help='Odoo host (default: %(default)s)')
    parser.add_argument('--port', type=int, default=8069, help='Odoo port (default: %(default)s)')
    parser.add_argument('--https', action='store_true', help='connect with HTTPS')
    args = parser.parse_args(argv)

    raw = sys.stdin.buffer.read()
    scheme = 'https' if args.https else 'http'
    url = f'{scheme}://{args.host}:{args.port}/xmlrpc/2/object'
    try:
        models = xmlrpc.client.ServerProxy(url, allow_none=True)
        res_id = models.execute_kw(args.database, args.userid, args.password, 'mail.thread',
                                   'message_process', [False, xmlrpc.client.Binary(raw)], {})
    except xmlrpc.client.Fault as e:
        if is_routing_refusal(e):
            print(f'refused: {fault_line(e)}', file=sys.stderr)
            sys.exit(EX_REFUSED)
        if e.faultCode == FAULT_ACCESS_DENIED:
            print(f'error: Odoo refused the login of user id {args.userid} on database {args.database}: '
                  'wrong password or API key (-p), or wrong user id (-u); retry later', file=sys.stderr)
            sys.exit(EX_TEMPFAIL)
        print(f'error: Odoo failed, retry later: {fault_line(e)}', file=sys.stderr)
        sys.exit(EX_TEMPFAIL)
    except (OSError, xmlrpc.client.ProtocolError) as e:
        print(f'error: cannot reach Odoo at {url}: {e}', file=sys.stderr)
        sys.exit(EX_TEMPFAIL)
    except Exception as e:  # noqa: BLE001 - anything else: ask the MTA to retry
        print(f'error: {type(e).__name__}: {e}'.splitlines()[0], file=sys.stderr)
        sys.exit(EX_TEMPFAIL)
    if res_id:
        print(f'delivered: record id {res_id}')
    elif is_duplicate(models, args, raw):
        print('duplicate of a message already received: dropped')
    else:
        print("handled, nothing posted: a delivery report, a loop or a refusal mailed back "
              "to the sender (Odoo's log says which)")
    return 0


def is_duplicate(models, args, raw):
    """Whether Odoo already holds a message of this mail's Message-ID: the
    gateway then drops the mail without a word."""
    headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    message_id = str(headers.get('Message-ID') or '').strip()
    if not message_id:
        return False
    try:
        return bool(models.execute_kw(args.database, args.userid, args.password, 'mail.message', 'search_count',
                                      [[('message_id', '=', message_id)]], {}))
    except Exception:  # noqa: BLE001 - the mail is taken either way: only the wording is at stake
        return False


if __name__ == '__main__':
    sys.exit(main())
