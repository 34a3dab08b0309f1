"""Generator of malformed and hostile RFC 822 messages for the gateway tests.

Everything is built byte by byte: the point is to produce what a careful
mail library would refuse to produce (broken boundaries, lying charsets,
raw 8-bit headers, NUL bytes...). ``corpus()`` returns ``Case`` entries,
each with the outcome the list must reach:

- ``stored``: a ``mail.group.message`` is accepted and distributed;
- ``held``: a ``mail.group.message`` waits for moderation (nothing sent);
- ``refused``: nothing stored, the sender sees a bounce or the gateway
  raises its routing error (the MTA then bounces);
- ``discarded``: nothing stored and nothing sent, on purpose (loops,
  auto-replies, delivery reports, duplicates).

A tuple lists several acceptable outcomes. A mail without From is held: a
moderator decides (README, "Inbound rules").
"""
import base64
import random
from dataclasses import dataclass, field

from .mails import rfc2822_date

STORED = 'stored'
HELD = 'held'
REFUSED = 'refused'
DISCARDED = 'discarded'
LOST = 'lost'
CRASH = 'crash'

CRLF = b'\r\n'

XSS_HTML = (
    '<p>hello</p>'
    '<script>alert("script")</script>'
    '<ScRiPt src="https://evil.example/x.js"></ScRiPt>'
    '<scr<script>ipt>alert(2)</script>'
    '<iframe src="https://evil.example/frame"></iframe>'
    '<IFRAME srcdoc="&lt;script&gt;alert(3)&lt;/script&gt;"></IFRAME>'
    '<img src="x" onerror="alert(4)">'
    '<img src=x OnError=alert(5)>'
    '<body onload="alert(6)"><div onmouseover="alert(7)">hover</div></body>'
    '<a href="javascript:alert(8)">click</a>'
    '<a href="JaVaScRiPt:alert(9)">click</a>'
    '<a href="jav&#x09;ascript:alert(10)">click</a>'
    '<a href=" &#106;avascript:alert(11)">click</a>'
    '<div style="width: expression(alert(12))">css</div>'
    '<div style="background:url(javascript:alert(13))">css</div>'
    '<style>@import "javascript:alert(14)"; body { behavior: url(x.htc) }</style>'
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxNSk8L3NjcmlwdD4=">data</a>'
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMTYpPjwvc3ZnPg==">'
    '<svg onload="alert(17)"><circle r="1"/></svg>'
    '<svg><script>alert(18)</script></svg>'
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(19)>'
    '<object data="javascript:alert(20)"></object>'
    '<embed src="javascript:alert(21)">'
    '<form action="javascript:alert(22)"><button formaction="javascript:alert(23)">x</button></form>'
    '<meta http-equiv="refresh" content="0;url=javascript:alert(24)">'
    '<base href="javascript:alert(25)//">'
    '<link rel="stylesheet" href="javascript:alert(26)">'
    '<details open ontoggle="alert(27)">x</details>'
    '<p>bye</p>'
)


@dataclass
class Case:
    name: str
    raw: bytes
    expected: object                 # an outcome, or a tuple of acceptable outcomes
    group: str = 'public'            # key of the target group in the test
    message_id: str = ''             # Message-ID as written (for look-ups)
    checks: tuple = field(default_factory=tuple)  # names of extra checks


def header_bytes(name, value):
    if isinstance(value, str):
        value = value.encode('utf-8')
    return name.encode() + b': ' + value + CRLF


def build(headers, body=b'', separator=True):
    """``headers``: list of (name, str or bytes); ``body``: str or bytes."""
    raw = b''.join(header_bytes(name, value) for name, value in headers)
    if isinstance(body, str):
        body = body.encode('utf-8')
    if separator:
        raw += CRLF
    return raw + body


class Builder:
    """Default, well-formed envelope for a case; each case breaks one thing."""

    def __init__(self, alias_domain, aliases):
        self.alias_domain = alias_domain
        self.aliases = aliases  # group key -> alias email
        self.cases = []
        self.date = rfc2822_date(hours_ago=1)

    def message_id(self, name):
        return f'<hostile-{name}@hostile.example.org>'

    def sender(self, name):
        # one address per case: Odoo's loop detection counts posts per author
        return f'"Sender {name}" <sender-{name}@hostile.example.org>'

    def envelope(self, name, group='public', drop=(), content_type='text/plain; charset=utf-8', **override):
        headers = {
            'From': self.sender(name),
            'To': self.aliases[group],
            'Subject': f'hostile {name}',
            'Message-ID': self.message_id(name),
            'Date': self.date,
            'MIME-Version': '1.0',
            'Content-Type': content_type,
        }
        headers.update({key.replace('_', '-'): value for key, value in override.items()})
        return [(key, value) for key, value in headers.items() if key not in drop and value is not None]

    def add(self, name, expected, raw, group='public', message_id=None, checks=()):
        self.cases.append(Case(name=name, raw=raw, expected=expected, group=group,
                               message_id=self.message_id(name) if message_id is None else message_id,
                               checks=tuple(checks)))

    def simple(self, name, expected, body='Hello list', group='public', extra=(), checks=(), message_id=None, **kw):
        headers = self.envelope(name, group=group, **kw) + list(extra)
        self.add(name, expected, build(headers, body), group=group, message_id=message_id, checks=checks)


def multipart(boundary, parts, closing=True, preamble=b''):
    """``parts``: list of (headers list, body bytes)."""
    b = boundary.encode() if isinstance(boundary, str) else boundary
    out = preamble
    for headers, body in parts:
        out += b'--' + b + CRLF + build(headers, body)
        out += CRLF
    if closing:
        out += b'--' + b + b'--' + CRLF
    return out


def text_part(text, charset='utf-8'):
    return ([('Content-Type', f'text/plain; charset={charset}')], text)


def nested_multipart(depth, leaf=b'deep inside'):
    """``depth`` multipart/mixed containers around one text part."""
    body = build([('Content-Type', 'text/plain; charset=utf-8')], leaf)
    content_type = 'text/plain; charset=utf-8'
    for level in range(depth):
        boundary = f'nest{level}'
        body = (b'--' + boundary.encode() + CRLF
                + build([('Content-Type', content_type)], body) + CRLF
                + b'--' + boundary.encode() + b'--' + CRLF)
        content_type = f'multipart/mixed; boundary="{boundary}"'
    return content_type, body


def attachment_mail(builder, name, filename_header, group='public', expected=STORED, content=b'root:x:0:0'):
    boundary = f'att-{name}'
    body = multipart(boundary, [
        text_part('See attached.'),
        ([('Content-Type', 'application/octet-stream'),
          ('Content-Disposition', filename_header),
          ('Content-Transfer-Encoding', 'base64')], base64.b64encode(content)),
    ])
    builder.simple(name, expected, body=body, group=group, checks=('attachment',),
                   content_type=f'multipart/mixed; boundary="{boundary}"')


def corpus(alias_domain, aliases):
    """Return the list of ``Case`` (deterministic: seeded junk)."""
    rnd = random.Random(1737)
    b = Builder(alias_domain, aliases)
    public = aliases['public']

    # --- control
    b.simple('baseline', STORED, body='An ordinary, well-formed post.')

    # --- broken MIME structure
    b.simple('mime_boundary_unused', STORED, body=b'no boundary line at all\r\njust text\r\n',
             content_type='multipart/mixed; boundary="NEVERSEEN"')
    b.simple('mime_boundary_unclosed', STORED,
             body=multipart('OPEN', [text_part('first part'), text_part('second part')], closing=False),
             content_type='multipart/mixed; boundary="OPEN"')
    b.simple('mime_boundary_param_missing', STORED,
             body=multipart('X', [text_part('part')]), content_type='multipart/mixed')
    b.simple('mime_boundary_mismatch', STORED,
             body=multipart('BBB', [text_part('part b')]), content_type='multipart/mixed; boundary="AAA"')
    b.simple('mime_boundary_empty', STORED,
             body=multipart('', [text_part('empty boundary')]), content_type='multipart/mixed; boundary=""')
    b.simple('mime_content_type_garbage', STORED, body='garbage content type',
             content_type=';;;===; charset="; boundary==')
    b.simple('mime_unknown_transfer_encoding', STORED, body='begin 644 x\r\n`\r\nend\r\n',
             extra=[('Content-Transfer-Encoding', 'x-uuencode-bogus')])
    content_type, body = nested_multipart(60)
    b.simple('mime_nested_60', STORED, body=body, content_type=content_type)
    content_type, body = nested_multipart(400)
    b.simple('mime_nested_400', STORED, body=body, content_type=content_type)

    # --- charsets
    b.simple('charset_utf8_with_latin1_bytes', STORED, body=b'caf\xe9 cr\xe8me br\xfbl\xe9e')
    b.simple('charset_unknown', STORED, body='unknown charset body', content_type='text/plain; charset=x-unknown')
    b.simple('charset_unknown_html', STORED, body='<p>unknown</p>', content_type='text/html; charset=x-bogus-42')
    b.simple('charset_unknown_in_part', STORED,
             body=multipart('CS', [text_part('part with a bogus charset', charset='x-klingon')]),
             content_type='multipart/mixed; boundary="CS"')
    b.simple('charset_utf7_xss', HELD, body=b'+ADw-script+AD4-alert(1)+ADw-/script+AD4-<p>utf7</p>',
             content_type='text/html; charset=utf-7', checks=('xss',))
    b.simple('charset_garbage_param', STORED, body='param garbage',
             content_type='text/plain; charset="utf-8\\"; boundary=x; charset=ascii')

    # --- RFC 2047 garbage
    b.simple('rfc2047_subject_bad_base64', STORED, Subject='=?utf-8?B?!!!not*base64***?= tail')
    b.simple('rfc2047_subject_unknown_charset', STORED, Subject='=?x-bogus?Q?hello=20world?=')
    b.simple('rfc2047_subject_unterminated', STORED, Subject='=?utf-8?Q?never=20ends')
    b.simple('rfc2047_subject_crlf_injection', STORED,
             Subject='=?utf-8?Q?hello=0D=0ABcc:_victim@evil.example=0D=0A?=', checks=('no_header_injection',))
    b.simple('rfc2047_subject_nul', STORED, Subject='=?utf-8?Q?nul=00byte?=')
    b.simple('rfc2047_from_garbage', STORED,
             From='=?utf-8?Q?=E9=ZZ=?= <sender-rfc2047_from_garbage@hostile.example.org>')
    b.simple('rfc2047_from_encoded_address', STORED,
             From='=?utf-8?B?' + base64.b64encode(b'ceo@victim.example').decode()
                  + '?= <sender-rfc2047_from_encoded_address@hostile.example.org>')
    b.simple('rfc2047_from_unknown_charset', STORED,
             From='=?x-unknown?B?Zm9v?= <sender-rfc2047_from_unknown_charset@hostile.example.org>')

    # --- missing or broken envelope headers
    b.simple('missing_from', HELD, drop=('From',), checks=('not_system_author',))
    b.simple('missing_date', STORED, drop=('Date',))
    b.simple('missing_message_id', STORED, drop=('Message-ID',), message_id='')
    b.simple('date_garbage', STORED, Date='yesterday at noon-ish 99:99 +9999')
    b.simple('date_year_one', STORED, Date='Mon, 01 Jan 0001 00:00:00 +1400')
    huge_id = '<' + ''.join(rnd.choice('0123456789abcdefghijklmnopqrstuvwxyz') for _i in range(9000)) \
        + '@hostile.example.org>'
    b.simple('message_id_huge_random', (STORED, REFUSED), message_id=huge_id, body='huge random Message-ID',
             **{'Message-ID': huge_id})
    b.simple('references_huge', STORED, extra=[
        ('References', ' '.join(f'<ref{i}@nowhere.example>' for i in range(5000))),
        ('In-Reply-To', '<does-not-exist@nowhere.example>')])

    # --- huge headers
    b.simple('subject_100kb', STORED, Subject='A' * 100_000)
    b.simple('received_1000', STORED, extra=[
        ('Received', f'from relay{i}.example.net by relay{i + 1}.example.net; {b.date}') for i in range(1000)])
    b.simple('header_line_1mb', STORED, extra=[('X-Junk', 'j' * 1_000_000)])

    # --- raw 8-bit headers
    b.simple('raw_8bit_subject_utf8', STORED, Subject='caf\u00e9 \u65e5\u672c \U0001f600'.encode('utf-8'))
    b.simple('raw_8bit_subject_latin1', STORED, Subject=b'caf\xe9 cr\xe8me')
    b.simple('raw_8bit_from', STORED, From=b'"J\xf6rg \xff\xfe" <sender-raw_8bit_from@hostile.example.org>')
    b.simple('raw_nul_in_headers', STORED, Subject=b'nul\x00in\x00subject',
             extra=[('X-Nul', b'\x00\x00')])

    # --- attachments with hostile names
    attachment_mail(b, 'attachment_traversal_unix', 'attachment; filename="../../etc/passwd"')
    attachment_mail(b, 'attachment_traversal_windows', 'attachment; filename="C:\\\\..\\\\..\\\\x.bat"')
    attachment_mail(b, 'attachment_name_nul', "attachment; filename*=utf-8''evil%00.txt%00.exe")
    attachment_mail(b, 'attachment_name_newline', "attachment; filename*=utf-8''evil%0D%0AContent-Type%3A%20text%2Fhtml.txt")
    attachment_mail(b, 'attachment_name_rfc2047_traversal',
                    'attachment; filename="=?utf-8?B?' + base64.b64encode(b'../../../root/.ssh/id_rsa').decode() + '?="')
    attachment_mail(b, 'attachment_name_absolute', 'attachment; filename="/etc/shadow"')
    attachment_mail(b, 'attachment_name_huge', 'attachment; filename="' + 'n' * 5000 + '.txt"')
    attachment_mail(b, 'attachment_base64_garbage', 'attachment; filename="garbage.bin"', content=b'')
    # replace the valid base64 of the last one by junk
    case = b.cases[-1]
    case.raw = case.raw.replace(b'Content-Transfer-Encoding: base64\r\n\r\n',
                                b'Content-Transfer-Encoding: base64\r\n\r\n!!!@@@###$$$%%%^^^&&&***(((\xff\xfe===\r\n', 1)

    # --- hostile HTML
    b.simple('html_xss_everything', HELD, body=XSS_HTML, content_type='text/html; charset=utf-8', checks=('xss',))
    alt = multipart('ALT', [
        text_part('plain alternative'),
        ([('Content-Type', 'text/html; charset=utf-8')], XSS_HTML),
    ])
    b.simple('html_xss_in_alternative', HELD, body=alt, content_type='multipart/alternative; boundary="ALT"',
             checks=('xss',))
    b.simple('html_xss_as_text_plain', STORED, body=XSS_HTML, checks=('xss',))
    b.simple('html_xss_base64', HELD, body=base64.encodebytes(XSS_HTML.encode()),
             content_type='text/html; charset=utf-8', extra=[('Content-Transfer-Encoding', 'base64')], checks=('xss',))
    b.simple('html_xss_quoted_printable', HELD,
             body='<scr=\r\nipt>alert(1)</scr=\r\nipt><img src=3Dx onerror=3D"alert(2)"><a href=3D"java=\r\nscript:alert(3)">x</a>',
             content_type='text/html; charset=utf-8', extra=[('Content-Transfer-Encoding', 'quoted-printable')],
             checks=('xss',))
    b.simple('html_xss_footer_spoof', HELD,
             body='<div id="o_mg_message_footer"><script>alert(1)</script></div><p>after</p>'
                  '<a href="https://unsubscribe.placeholder.invalid/" onclick="alert(2)">x</a>',
             content_type='text/html; charset=utf-8', checks=('xss',))

    # --- body encodings and sizes
    b.simple('body_10mb', STORED, body=('0123456789abcdef' * 64 + '\r\n') * 10_000, checks=('big',))
    b.simple('body_base64_garbage', STORED, body=b'!!!@@@###$$$\xff\xfe\x00===\r\nnot base 64 at all',
             extra=[('Content-Transfer-Encoding', 'base64')])
    b.simple('body_qp_garbage', STORED, body=b'=ZZ=G1=\r\n=4=\xff=\x00 soft=\r\n',
             extra=[('Content-Transfer-Encoding', 'quoted-printable')])
    b.simple('body_binary_junk', STORED, body=bytes(rnd.getrandbits(8) for _i in range(20_000)),
             content_type='application/octet-stream', extra=[('Content-Transfer-Encoding', '8bit')])
    b.simple('body_nul_in_text', STORED, body=b'before\x00after\x00\x01\x02\x1b[31m')
    b.simple('body_only_headers_no_separator', STORED)
    case = b.cases[-1]
    case.raw = build(b.envelope(case.name), separator=False)

    # --- not mail at all
    b.add('empty_message', REFUSED, b'', message_id='')
    b.add('binary_junk_only', REFUSED, bytes(rnd.getrandbits(8) for _i in range(4096)), message_id='')
    b.add('headers_without_colon', REFUSED, b'this is not a header\r\nneither is this\r\n\r\nbody\r\n', message_id='')

    # --- recipients and senders
    many = ', '.join(f'user{i}@many.example.com' for i in range(500))
    # held: more recipients than the groups' default cap (10)
    b.simple('to_500_addresses', HELD, To=f'{many}, {public}')
    b.simple('cc_500_addresses', HELD, extra=[('Cc', many)])
    b.simple('from_multiple_addresses', STORED,
             From='sender-from_multiple_addresses@hostile.example.org, ceo@victim.example, cfo@victim.example')
    b.simple('from_group_address', DISCARDED, From=f'"Public List" <{public}>')
    b.simple('from_other_group_address', STORED, From=aliases['moderated'])

    # --- loops, auto-replies, delivery reports
    b.simple('loop_list_id', DISCARDED,
             extra=[('List-Id', f'"Public List" <public-list.{alias_domain}>')])
    b.simple('loop_x_loop', DISCARDED, extra=[('X-Loop', public)])
    b.simple('auto_replied_oof', DISCARDED, extra=[('Auto-Submitted', 'auto-replied')], Subject='Out of office')
    b.simple('auto_generated', DISCARDED, extra=[('Auto-Submitted', 'auto-generated; type=vacation')])
    b.simple('precedence_junk', DISCARDED, extra=[('Precedence', 'junk')])
    b.simple('x_autorespond', DISCARDED, extra=[('X-Autorespond', 'yes')])
    dsn_boundary = 'DSN'
    dsn_body = multipart(dsn_boundary, [
        text_part('Delivery to the following recipient failed permanently: nobody@nowhere.example'),
        ([('Content-Type', 'message/delivery-status')],
         b'Reporting-MTA: dns; mx.nowhere.example\r\n\r\nFinal-Recipient: rfc822; nobody@nowhere.example\r\n'
         b'Action: failed\r\nStatus: 5.1.1\r\n'),
        ([('Content-Type', 'message/rfc822')],
         build([('From', public), ('To', 'nobody@nowhere.example'), ('Subject', 'a list post'),
                ('Message-ID', '<original-post@test.example>')], 'original')),
    ])
    b.simple('dsn_from_mailer_daemon', DISCARDED, body=dsn_body,
             From='Mail Delivery System <MAILER-DAEMON@mx.nowhere.example>',
             content_type=f'multipart/report; report-type=delivery-status; boundary="{dsn_boundary}"')
    b.simple('dsn_from_postmaster', DISCARDED, body=dsn_body, From='postmaster@mx.nowhere.example',
             content_type=f'multipart/report; report-type=delivery-status; boundary="{dsn_boundary}"')
    b.simple('duplicate_message_id', DISCARDED, message_id=b.message_id('baseline'),
             **{'Message-ID': b.message_id('baseline'), 'Subject': 'duplicate of the baseline'})

    # --- moderated group: hostile posts wait for a moderator
    b.simple('moderated_xss', HELD, group='moderated', body=XSS_HTML, content_type='text/html; charset=utf-8',
             checks=('xss',))
    attachment_mail(b, 'moderated_attachment_traversal', 'attachment; filename="../../etc/passwd"',
                    group='moderated', expected=HELD)
    b.simple('moderated_charset_lying', HELD, group='moderated', body=b'caf\xe9')
    b.simple('moderated_auto_reply', DISCARDED, group='moderated', extra=[('Auto-Submitted', 'auto-replied')])

    # --- members-only group: privacy refusals bounce, whatever the payload
    b.simple('members_only_stranger_xss', REFUSED, group='members', body=XSS_HTML,
             content_type='text/html; charset=utf-8', checks=('bounce',))
    b.simple('members_only_stranger_broken_mime', REFUSED, group='members',
             body=multipart('OPEN', [text_part('x')], closing=False),
             content_type='multipart/mixed; boundary="OPEN"', checks=('bounce',))
    return b.cases
