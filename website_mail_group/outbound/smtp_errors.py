"""What an SMTP failure means for a list mail: retry later, give up, or
reconnect and carry on."""
import smtplib

TEMPORARY = 'temporary'    # 4xx: keep the mail queued, retry with back-off
RECIPIENT = 'recipient'    # 5xx to the recipient: the mail fails, counted against the member
FAILED = 'failed'          # 5xx to the sender or the data, or no message: the mail fails, nobody is blamed
CONNECTION = 'connection'  # the session is gone: reconnect

MAX_ATTEMPTS = 8


def classify(exc):
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, __ in exc.recipients.values()]
        return RECIPIENT if codes and all(500 <= code < 600 for code in codes) else TEMPORARY
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return CONNECTION
    if isinstance(exc, smtplib.SMTPResponseException):
        if exc.smtp_code == 421:
            return CONNECTION
        return FAILED if 500 <= exc.smtp_code < 600 else TEMPORARY
    if isinstance(exc, (OSError, smtplib.SMTPException)):
        return CONNECTION
    return FAILED


def backoff_seconds(attempt, base=60, cap=6 * 3600):
    """60 s, 2 min, 4 min, ... capped at 6 hours."""
    return min(cap, base * 2 ** max(attempt - 1, 0))
