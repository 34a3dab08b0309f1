"""Accessibility of the addon's public pages: axe-core (WCAG 2.1 A and AA) in
Chromium on every kind of page, as a visitor and as a member, at desktop and
phone widths; at phone width, the sizes and the order that make the pages
usable with a thumb.

axe-core comes from the npm registry, installed by the set-up
(``scripts/setup.sh``) under ``var/axe-core``; ``WMG_AXE_CORE`` may name
another ``axe.min.js``. Without it the tests fail: they never skip.

Each test opens one browser and loads the pages one after the other in a
frame as large as the window (so the frame's media queries see the phone's
or the desktop's width), runs axe on the content our templates render
(``#wrap``: Odoo's header and footer are not ours) and reports every
violation with its page, rule and elements."""
import json
import os
from urllib.parse import urlsplit

from odoo.tests import tagged

from odoo.addons.http_routing.models.ir_http import slug

from .test_website import WebsiteMailGroupCase

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AXE_PATH = os.environ.get('WMG_AXE_CORE') or os.path.join(
    ROOT, 'var', 'axe-core', 'node_modules', 'axe-core', 'axe.min.js')
AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']
AXE_TAGS += os.environ.get('WMG_AXE_EXTRA_TAGS', '').split()  # e.g. best-practice, to look further

# Runs in the test window: loads each page in a frame, waits for Odoo's
# public widgets, runs axe on #wrap, then the page's own checks (phone
# layout, focus ring). __AXE__, __PAGES__, __OPTIONS__ are replaced.
CHECK_JS = r"""
(async () => {
    const pages = __PAGES__;
    const options = __OPTIONS__;
    const axeSource = __AXE__;
    const problems = [];
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    async function until(check, what) {
        for (let i = 0; i < 300; i++) {
            try {
                if (check()) {
                    return;
                }
            } catch {}
            await sleep(50);
        }
        throw new Error(`timeout waiting for ${what}`);
    }
    function channels(color) {
        const match = color.match(/rgba?\(([^)]+)\)/);
        return match ? match[1].split(/[ ,/]+/).filter(Boolean).map(Number) : null;
    }
    function luminance([r, g, b]) {
        const lin = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
        return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    }
    function contrast(a, b) {
        const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
        return (l1 + 0.05) / (l2 + 0.05);
    }
    function background(win, el) {
        for (; el; el = el.parentElement) {
            const rgba = channels(win.getComputedStyle(el).backgroundColor);
            if (rgba && (rgba.length < 4 || rgba[3] > 0.9)) {
                return rgba.slice(0, 3);
            }
        }
        return [255, 255, 255];
    }
    // the focus indicator of a field: an outline or a box-shadow ring of at
    // least 2 px, 3:1 against the background (WCAG 1.4.11)
    function focusRing(win, el) {
        el.focus();
        const style = win.getComputedStyle(el);
        const back = background(win, el.parentElement);
        const rings = [];
        if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) {
            rings.push(channels(style.outlineColor));
        }
        for (const shadow of style.boxShadow.split(/,(?![^(]*\))/)) {
            const color = shadow.match(/rgba?\([^)]+\)/);
            const sizes = shadow.replace(/rgba?\([^)]+\)/, "").trim().split(/\s+/).map(parseFloat);
            // x y blur spread: a ring is a spread of 2 px or more, without blur
            if (color && sizes.length >= 4 && sizes[3] >= 2 && !sizes[2]) {
                const rgba = channels(color[0]);
                if (rgba.length < 4 || rgba[3] > 0.9) {
                    rings.push(rgba);
                }
            }
        }
        const best = Math.max(0, ...rings.filter(Boolean).map((rgb) => contrast(rgb.slice(0, 3), back)));
        el.blur();
        return best;
    }
    const checks = {
        // the subscribe box: a field wide enough to read an address, buttons
        // a thumb can hit on a phone (44 px), a mouse elsewhere (24 px,
        // WCAG 2.5.8)
        subscribe_box(win, doc, page) {
            const minHeight = window.innerWidth < 576 ? 44 : 24;
            const form = doc.querySelector(".o_mg_subscribe_form");
            if (!form) {
                return [`no subscribe form`];
            }
            const out = [];
            const field = form.querySelector("input[name=email]");
            if (field) {
                const width = field.getBoundingClientRect().width;
                if (width < 240) {
                    out.push(`e-mail field ${Math.round(width)} px wide (at least 240)`);
                }
            }
            for (const button of form.querySelectorAll("button[type=submit]")) {
                const rect = button.getBoundingClientRect();
                if (rect.width && rect.height < minHeight) {
                    out.push(`button "${button.textContent.trim()}" ${Math.round(rect.height)} px high (at least ${minHeight})`);
                }
            }
            return out;
        },
        // the archive's small buttons (Threads / By date, Reply by email): 44 px
        // on a phone, 24 px elsewhere
        touch_targets(win, doc) {
            const minHeight = window.innerWidth < 576 ? 44 : 24;
            const out = [];
            for (const button of doc.querySelectorAll(".o_mg_mode .btn, .o_mg_reply_mailto")) {
                const rect = button.getBoundingClientRect();
                if (rect.width && rect.height < minHeight) {
                    out.push(`"${button.textContent.trim()}" ${Math.round(rect.height)} px high (at least ${minHeight})`);
                }
            }
            return out;
        },
        membership_first(win, doc) {
            const box = doc.querySelector(".o_mg_subscribe_form");
            const list = doc.querySelector(".o_mg_message_list");
            if (!box || !list) {
                return ["no membership box or thread list"];
            }
            return box.getBoundingClientRect().top < list.getBoundingClientRect().top
                ? [] : ["the membership box comes after the thread list"];
        },
        // a card's picture repeats the link of its name: one stop for the
        // keyboard and for screen readers
        one_link_per_card(win, doc) {
            const out = [];
            for (const card of doc.querySelectorAll(".o_mg_group_card")) {
                const hrefs = [...card.querySelectorAll("a[href]")]
                    .filter((link) => link.tabIndex >= 0 && !link.closest("[aria-hidden=true]"))
                    .map((link) => link.getAttribute("href"));
                const twice = hrefs.filter((href, index) => hrefs.indexOf(href) !== index);
                if (twice.length) {
                    out.push(`card ${card.dataset.groupId}: ${twice.join(", ")} linked more than once`);
                }
            }
            return out;
        },
        focus_ring(win, doc) {
            const field = doc.querySelector("input[name=email]:not([type=hidden])");
            if (!field) {
                return ["no e-mail field"];
            }
            const ratio = focusRing(win, field);
            return ratio >= 3 ? [] : [`focus ring of the e-mail field: contrast ${ratio.toFixed(2)}:1 (at least 3:1, 2 px)`];
        },
    };

    for (const page of pages) {
        const frame = document.createElement("iframe");
        frame.style.cssText = `position: fixed; inset: 0; width: ${window.innerWidth}px; height: ${window.innerHeight}px; border: 0; z-index: 2147483647; background: #fff;`;
        const loaded = new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
        frame.src = page.url;
        document.body.appendChild(frame);
        try {
            await loaded;
            const win = frame.contentWindow;
            const doc = frame.contentDocument;
            await until(() => win.odoo.__WOWL_DEBUG__ && doc.readyState === "complete", `${page.name} to start`);
            await doc.fonts.ready;
            if (!doc.querySelector("#wrap")) {
                problems.push(`${page.name} (${page.url}): no #wrap, the page did not render our template`);
                continue;
            }
            for (const selector of page.expect || []) {
                if (!doc.querySelector(selector)) {
                    problems.push(`${page.name} (${page.url}): ${selector} is missing`);
                }
            }
            if (!win.axe) {
                win.eval(axeSource);
            }
            const result = await win.axe.run({ include: [["#wrap"]] }, options);
            for (const violation of result.violations) {
                const nodes = violation.nodes.map((node) => `    ${node.target.join(" ")}: ${node.failureSummary.replace(/\s+/g, " ")}`);
                problems.push(`${page.name} (${page.url}): [${violation.impact}] ${violation.id}: ${violation.help}\n${nodes.join("\n")}`);
            }
            for (const check of page.checks || []) {
                for (const problem of checks[check](win, doc, page)) {
                    problems.push(`${page.name} (${page.url}): ${check}: ${problem}`);
                }
            }
        } catch (error) {
            problems.push(`${page.name} (${page.url}): ${error}`);
        } finally {
            frame.remove();
        }
    }
    if (problems.length) {
        console.error(`Accessibility: ${problems.length} problem(s) at ${window.innerWidth} px\n${problems.join("\n")}`);
    } else {
        console.log("test successful");
    }
})();
"""


class AccessibilityChecks:
    """The pages of a visitor and of a member, checked in one browser each
    (a mixin: the test classes below set the window's size)."""

    phone = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the member: a portal user in the public group, with a thread to read
        cls.member = cls.env['mail.group.member'].create({
            'mail_group_id': cls.group_public.id, 'partner_id': cls.user_portal.partner_id.id})
        cls._post(cls.group_public, 'Re: Kernel release', '<p>Thanks Greg</p>'
                  '<blockquote>Congratulations to all!</blockquote><p>-- <br/>Linus</p>',
                  parent=cls.msg_reply, days=8, email_from='Linus <linus@example.org>')

    def read_axe(self):
        if not os.path.isfile(AXE_PATH):
            self.fail(f'axe-core is not installed: {AXE_PATH} is missing. Run `make setup` '
                      '(scripts/setup.sh installs it from the npm registry), or set WMG_AXE_CORE '
                      'to an axe.min.js.')
        with open(AXE_PATH, encoding='utf-8') as file:
            return file.read()

    def relative(self, url):
        parts = urlsplit(url)
        return parts.path + (f'?{parts.query}' if parts.query else '')

    def topic_link(self, member):
        """The footer's "Mute this topic" link of ``member`` for the kernel thread."""
        group = self.group_public
        return group._member_links_builder(kinds=('mute',), thread_id=self.msg_root.id)(
            member.id, member.email_normalized)['mute']

    def pages(self, member):
        group = self.group_public
        archive = f'/groups/{slug(group)}'
        pages = [
            {'name': 'groups', 'url': '/groups', 'expect': ['.o_mg_group_card'],
             'checks': ['subscribe_box', 'one_link_per_card'] + (['focus_ring'] if not member else [])},
            {'name': 'archive', 'url': archive, 'expect': ['.o_mg_message_item'],
             'checks': ['subscribe_box', 'touch_targets'] + (['membership_first'] if self.phone else [])
             + (['focus_ring'] if not member else [])},
            {'name': 'archive by date', 'url': f'{archive}?mode=date', 'expect': ['.o_mg_message_item']},
            {'name': 'thread', 'url': f'{archive}/{slug(self.msg_root)}', 'expect': ['.o_mg_reply'],
             'checks': ['touch_targets']},
            {'name': 'search results', 'url': f'{archive}/search?q=kernel', 'expect': ['.o_mg_search_result']},
            {'name': 'search without result', 'url': f'{archive}/search?q=zzzzunknown',
             'expect': ['.o_mg_no_result']},
        ]
        if member:
            settings = group._member_url(self.member, 'settings')
            unsubscribe = group._member_url(self.member, 'unsubscribe')
            topic = self.topic_link(self.member)
            pages[3]['expect'].append('.o_mg_topic_toggle')
            pages += [
                {'name': 'subscriptions', 'url': '/groups/subscriptions', 'expect': ['.o_mg_subscription']},
            ]
        else:
            known = group._find_member('known@member.example.com')
            settings = group._member_url(known, 'settings')
            unsubscribe = group._member_url(known, 'unsubscribe')
            topic = self.topic_link(known)
            token = self.env['mail.group']._generate_subscriptions_token('known@member.example.com')
            pages += [
                {'name': 'subscriptions request', 'url': '/groups/subscriptions',
                 'expect': ['.o_mg_subscriptions_request']},
                {'name': 'subscriptions (signed link)',
                 'url': f'/groups/subscriptions?email=known@member.example.com&token={token}',
                 'expect': ['.o_mg_subscription']},
            ]
        pages += [
            {'name': 'delivery settings', 'url': self.relative(settings), 'expect': ['.o_mg_delivery_form']},
            {'name': 'unsubscribe link', 'url': self.relative(unsubscribe),
             'expect': ['.o_mg_unsubscribe_oneclick_form']},
            {'name': 'mute this topic link', 'url': self.relative(topic), 'expect': ['.o_mg_topic_form']},
            {'name': 'confirmation link',
             'url': self.relative(group._generate_action_url('new@visitor.example.com', 'subscribe')),
             'expect': ['.o_mg_confirm_link_form']},
            {'name': 'confirmation (invalid link)',
             'url': f'/group/subscribe-confirm?group_id={group.id}&email=new@visitor.example.com&token=forged',
             'expect': ['.o_mg_confirmation']},
        ]
        return pages

    def check_pages(self, login=None):
        code = CHECK_JS.replace('__PAGES__', json.dumps(self.pages(member=bool(login)))) \
            .replace('__OPTIONS__', json.dumps({'runOnly': {'type': 'tag', 'values': AXE_TAGS},
                                                'resultTypes': ['violations']})) \
            .replace('__AXE__', json.dumps(self.read_axe()))
        try:
            self.browser_js('/groups', code, ready='!!odoo.__WOWL_DEBUG__', login=login, timeout=240)
        except AssertionError as error:
            # the code holds axe-core's 650 kB: show the violations, not the script
            message = str(error).replace(code, '<accessibility check>')
            raise AssertionError(message) from None

    def test_visitor(self):
        self.check_pages()

    def test_member(self):
        self.check_pages(login='wmg_portal')


@tagged('post_install', '-at_install', 'website_mail_group')
class TestAccessibilityDesktop(AccessibilityChecks, WebsiteMailGroupCase):
    browser_size = '1280x800'


@tagged('post_install', '-at_install', 'website_mail_group')
class TestAccessibilityPhone(AccessibilityChecks, WebsiteMailGroupCase):
    browser_size = '390x844'
    touch_enabled = True
    phone = True
