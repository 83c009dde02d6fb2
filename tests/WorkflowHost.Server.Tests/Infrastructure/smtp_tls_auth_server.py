"""SMTP server for WorkflowHost tests that insists on STARTTLS and AUTH, built on aiosmtpd.

    /usr/bin/python3 smtp_tls_auth_server.py HOST PORT MAILDIR CERT.pem KEY.pem USER PASSWORD [implicit]

Offers STARTTLS with the given certificate, requires it before anything else, then accepts AUTH PLAIN
and LOGIN for USER/PASSWORD only (535 otherwise) and stores each message in MAILDIR like
aiosmtpd.handlers.Mailbox. With "implicit", TLS starts with the connection instead (SMTPS, port 465
style) and no STARTTLS is offered. Prints "ready" once listening.
"""

import asyncio
import ssl
import sys

from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import SMTP, AuthResult


def main():
    host, port, maildir, cert, key, user, password = sys.argv[1:8]
    implicit = len(sys.argv) > 8 and sys.argv[8] == "implicit"
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == user.encode() and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd sends 235 or 535 itself

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    if implicit:
        # aiosmtpd only knows of STARTTLS; here the whole connection is TLS, so AUTH is over TLS already.
        factory = lambda: SMTP(Mailbox(maildir), authenticator=authenticator, auth_required=True, auth_require_tls=False)
    else:
        factory = lambda: SMTP(Mailbox(maildir), tls_context=context, require_starttls=True,
                               authenticator=authenticator, auth_required=True, auth_require_tls=True)
    server = loop.run_until_complete(loop.create_server(factory, host, int(port), ssl=context if implicit else None))
    print("ready", flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    main()
