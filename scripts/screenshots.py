#!/usr/bin/env python3
"""Screenshots of the website and back office for the README and docs/screenshots.md.

Takes PNGs of /groups, a group archive, a thread page, a search, the back-office
group form, the "To Review" list, the traffic graph, the subscriptions page and a
thread with the reply form (as the logged-in user, a member of the demo groups) from a running demo
server (``make run``), with headless Chromium,
into docs/screenshots/.

    scripts/screenshots.py                              # http://localhost:8069, db wmg_demo, admin/admin
    scripts/screenshots.py --url http://localhost:8369 --db wmg_web

Public pages are taken with Chromium's own ``--screenshot``; the pages that
need a session so the script logs in over JSON-RPC and drives the
same headless Chromium over the DevTools protocol (websocket-client).
"""
import argparse
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--hide-scrollbars',
]
DESKTOP, PHONE = (1280, 900), (390, 844)


def chromium_binary():
    for name in ('/usr/bin/chromium', 'chromium', 'chromium-browser', 'google-chrome'):
        path = shutil.which(name)
        if path:
            return path
    sys.exit('error: Chromium not found (apt-get install chromium)')


def cli_screenshot(url, target, size=DESKTOP):
    """Chromium's own --screenshot, in a throw-away profile."""
    with tempfile.TemporaryDirectory(prefix='wmg-shot-', ignore_cleanup_errors=True) as profile:
        subprocess.run([
            chromium_binary(), *CHROMIUM_FLAGS, f'--window-size={size[0]},{size[1]}', f'--user-data-dir={profile}',
            '--virtual-time-budget=5000', f'--screenshot={target}', url,
        ], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    if not target.exists() or target.stat().st_size == 0:
        sys.exit(f'error: no screenshot of {url}')


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def devtools_screenshot(url, target, cookies, ready_selector, base_url, size=DESKTOP):
    """Open ``url`` with ``cookies`` set, wait for ``ready_selector``, capture."""
    import websocket  # websocket-client, in requirements.txt

    port = free_port()
    with tempfile.TemporaryDirectory(prefix='wmg-shot-', ignore_cleanup_errors=True) as profile:
        browser = subprocess.Popen([
            chromium_binary(), *CHROMIUM_FLAGS, f'--window-size={size[0]},{size[1]}', f'--user-data-dir={profile}',
            f'--remote-debugging-port={port}', 'about:blank',
        ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _attempt in range(100):
                try:
                    pages = requests.get(f'http://127.0.0.1:{port}/json', timeout=2).json()
                    page = next(p for p in pages if p.get('type') == 'page')
                    break
                except (requests.RequestException, StopIteration, ValueError):
                    time.sleep(0.2)
            else:
                sys.exit('error: Chromium DevTools did not answer')
            # no Origin header: recent Chromium refuses DevTools connections from other origins
            ws = websocket.create_connection(page['webSocketDebuggerUrl'], timeout=30, suppress_origin=True)
            counter = iter(range(1, 10**6))

            def call(method, **params):
                message_id = next(counter)
                ws.send(json.dumps({'id': message_id, 'method': method, 'params': params}))
                while True:
                    answer = json.loads(ws.recv())
                    if answer.get('id') == message_id:
                        if 'error' in answer:
                            raise RuntimeError(f'{method}: {answer["error"]}')
                        return answer.get('result', {})

            call('Network.enable')
            for name, value in cookies.items():
                call('Network.setCookie', name=name, value=value, url=base_url)
            call('Emulation.setDeviceMetricsOverride', width=size[0], height=size[1], deviceScaleFactor=1,
                 mobile=size == PHONE)
            call('Page.navigate', url=url)
            check = f'!!document.querySelector({json.dumps(ready_selector)})'
            for _attempt in range(150):
                if call('Runtime.evaluate', expression=check).get('result', {}).get('value'):
                    break
                time.sleep(0.2)
            else:
                sys.exit(f'error: {ready_selector} never appeared on {url}')
            time.sleep(1.0)  # let the last renders settle
            data = call('Page.captureScreenshot', format='png')['data']
            target.write_bytes(base64.b64decode(data))
            ws.close()
        finally:
            browser.terminate()
            browser.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--url', default=os.environ.get('BASE_URL', 'http://localhost:8069'))
    parser.add_argument('--db', default=os.environ.get('DEMO_DB', 'wmg_demo'))
    parser.add_argument('--login', default='admin')
    parser.add_argument('--password', default='admin')
    parser.add_argument('--out', default=str(ROOT / 'docs' / 'screenshots'))
    args = parser.parse_args()
    base_url = args.url.rstrip('/')
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    try:
        groups_page = requests.get(f'{base_url}/groups', timeout=30)
    except requests.RequestException as error:
        sys.exit(f'error: no server at {base_url} ({error}); start the demo with `make run`')
    groups_page.raise_for_status()
    import lxml.html
    # the group with the most threads makes the best archive picture
    archives = []
    for href in dict.fromkeys(re.findall(r'href="(/groups/[a-z0-9-]+-\d+)"', groups_page.text)):
        page = lxml.html.fromstring(requests.get(f'{base_url}{href}', timeout=30).content)
        archives.append((len(page.xpath('//li[contains(@class, "o_mg_message_item")]')), href))
    if not archives:
        sys.exit('error: /groups lists no group; load the demo data')
    archive_path = max(archives)[1]
    archive_url = f'{base_url}{archive_path}'
    # a thread with replies makes the best picture
    tree = lxml.html.fromstring(requests.get(archive_url, timeout=30).content)
    links = [
        (item.xpath('.//a[contains(@class, "o_mg_message_link")]/@href')[0],
         ''.join(item.xpath('.//*[contains(@class, "o_mg_reply_count")]//text()')).strip())
        for item in tree.xpath('//li[contains(@class, "o_mg_message_item")]')
    ]
    if not links:
        sys.exit(f'error: {archive_url} has no message')
    message = next((href for href, replies in links if not replies.startswith('0')), links[0][0])
    message_url = f'{base_url}{message}'

    shots = [
        ('groups.png', f'{base_url}/groups'),
        ('archive.png', archive_url),
        ('message.png', message_url),
        # a word of the demo's threads
        ('search.png', f'{archive_url}/search?q=release'),
    ]
    for name, url in shots:
        cli_screenshot(url, out / name)
        print(f'{out / name}  <- {url}')
    # the same pages on a phone
    for name, url in shots[:3]:
        name = name.replace('.png', '_phone.png')
        cli_screenshot(url, out / name, PHONE)
        print(f'{out / name}  <- {url} (phone)')

    session = requests.Session()
    login = session.post(f'{base_url}/web/session/authenticate', json={
        'jsonrpc': '2.0', 'method': 'call',
        'params': {'db': args.db, 'login': args.login, 'password': args.password},
    }, timeout=60).json()
    if login.get('error') or not (login.get('result') or {}).get('uid'):
        sys.exit(f'error: cannot log in as {args.login} on {args.db}')
    group_id = int(archive_path.rsplit('-', 1)[1])
    logged_in = [
        ('backend_group_form.png',
         f'{base_url}/web#action=website_mail_group.mail_group_action&model=mail.group&view_type=form&id={group_id}',
         '.o_form_view .oe_stat_button'),
        ('review_list.png', f'{base_url}/web#action=website_mail_group.mail_group_message_action_review',
         '.o_list_view .o_data_row, .o_view_nocontent'),
        ('subscriptions.png', f'{base_url}/groups/subscriptions', '.o_mg_subscriptions_page h1'),
        # a member sees the reply form under the post
        ('thread_reply.png', message_url, 'form.o_mg_web_reply'),
        ('traffic.png', f'{base_url}/web#action=website_mail_group.mail_group_message_action_traffic'
         '&model=mail.group.message&view_type=graph', '.o_graph_renderer canvas'),
        # on a phone, the held posts as cards with their buttons
        ('review_phone.png', f'{base_url}/web#action=website_mail_group.mail_group_message_action_review',
         '.o_kanban_record, .o_view_nocontent', PHONE),
    ]
    for name, url, ready_selector, *size in logged_in:
        devtools_screenshot(url, out / name, session.cookies.get_dict(), ready_selector, base_url, *size)
        print(f'{out / name}  <- {url}')


if __name__ == '__main__':
    main()
