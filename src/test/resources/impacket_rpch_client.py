"""impacket's RPC over HTTP v2 client through exgate, for ImpacketRpcOverHttpTest.

Builds a virtual connection (RPC_IN_DATA and RPC_OUT_DATA, each NTLM-authenticated on its own
connection by impacket's rpch.RPCProxyClient), binds the test interface of RpcOverHttpBackend, makes
two calls and prints one JSON line: {"answers": [<the backend's JSON answer>, ...]}. Exits nonzero on
any failure. Run with Debian's /usr/bin/python3 (python3-impacket 0.10).
"""
import argparse
import http.client
import json
import signal
import socket
import ssl
import sys

import impacket.http
from impacket.dcerpc.v5 import transport
from impacket.dcerpc.v5.dtypes import ULONG, WSTR
from impacket.dcerpc.v5.ndr import NDRCALL
from impacket.uuid import uuidtup_to_bin

# Must match RpcOverHttpBackend.INTERFACE.
INTERFACE = uuidtup_to_bin(('5e1c7a52-9d3b-4c2f-8e0a-3b1f6c7d2e41', '1.0'))


class Whoami(NDRCALL):
    opnum = 0
    structure = (('Text', WSTR),)


class WhoamiResponse(NDRCALL):
    structure = (('Answer', WSTR), ('ErrorCode', ULONG))


def main():
    p = argparse.ArgumentParser()
    for name in ('url', 'endpoint', 'user', 'password', 'domain', 'source', 'cafile'):
        p.add_argument('--' + name, required=True)
    args = p.parse_args()
    # A stuck virtual connection (channels on different servers: no CONN/C2) fails instead of hanging:
    # a silent socket times out, and impacket spins on a closed one (it reads b'' forever), hence the alarm.
    socket.setdefaulttimeout(20)
    signal.signal(signal.SIGALRM, lambda *_: sys.exit('impacket client failed: no result within 60 s'))
    signal.alarm(60)

    def connection(host, context=None):
        # impacket hard-codes an unverified TLS context: verify exgate's certificate against the lab's
        # instead, and leave from this run's own loopback address, as a distinct client would.
        verified = ssl.create_default_context(cafile=args.cafile)
        return http.client.HTTPSConnection(host, context=verified, source_address=(args.source, 0))

    impacket.http.HTTPSConnection = connection

    server, port = args.endpoint.rsplit(':', 1)
    rpc = transport.DCERPCTransportFactory('ncacn_http:%s[%s]' % (server, port))
    rpc.set_rpc_proxy_url(args.url)  # no query: impacket adds "?<server>:<port>" itself, on the NTLM answer only
    rpc.set_credentials(args.user, args.password, args.domain)
    dce = rpc.get_dce_rpc()
    dce.connect()
    try:
        dce.bind(INTERFACE)
        answers = []
        for i in (1, 2):
            call = Whoami()
            call['Text'] = 'call %d from %s\x00' % (i, args.user)
            answers.append(json.loads(dce.request(call)['Answer'][:-1]))
    finally:
        dce.disconnect()
    print(json.dumps({'answers': answers}), flush=True)


if __name__ == '__main__':
    try:
        main()
    except Exception as e:  # one clear line for the test's failure message
        print('impacket client failed: %s: %s' % (type(e).__name__, e), file=sys.stderr, flush=True)
        sys.exit(1)
