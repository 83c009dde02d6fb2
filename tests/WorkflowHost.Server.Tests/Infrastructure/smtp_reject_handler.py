"""aiosmtpd handler for WorkflowHost tests.

Refuses recipients whose address contains "reject" with a permanent 550, answers 450 (mailbox busy)
for those containing "busy", and stores every other message in a Maildir, like
aiosmtpd.handlers.Mailbox.

    PYTHONPATH=<dir of this file> /usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:PORT \
        -c smtp_reject_handler.RejectingMailbox MAILDIR
"""

from aiosmtpd.handlers import Mailbox


class RejectingMailbox(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        lowered = address.lower()
        if "reject" in lowered:
            return "550 5.1.1 <%s>: Recipient address rejected (test)" % address
        if "busy" in lowered:
            return "450 4.2.1 <%s>: Mailbox busy, try again later (test)" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"
