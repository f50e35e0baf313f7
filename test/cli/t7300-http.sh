#!/bin/sh
test_description='the HTTP layer: TLS verification with an added CA, proxies from the environment'
. "$(dirname "$0")/../lib/test-lib.sh"

export XSM_HTTP_BACKOFF_MS=20 XSM_HTTP_RETRIES=1 T_ACCESS=emu-t-access T_SECRET=emu-t-secret
unset http_proxy https_proxy HTTPS_PROXY NO_PROXY no_proxy ALL_PROXY all_proxy

if ! command -v openssl >/dev/null; then
	echo "1..0 # skip no openssl to make a test certificate"
	exit 0
fi

# a private CA and a certificate for 127.0.0.1 signed by it
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=xsm-test-ca -keyout ca.key -out ca.pem 2>/dev/null &&
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout srv.key -out srv.csr 2>/dev/null &&
printf "subjectAltName=IP:127.0.0.1\n" >ext &&
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext -out srv.pem 2>/dev/null

# a TLS server on 127.0.0.1 answering GET /session like Tenable does
cat >tls.py <<'PY'
import http.server, ssl, sys, os
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        ok = "accessKey=emu-t-access;secretKey=emu-t-secret" in self.headers.get("X-ApiKeys", "")
        body = b'{"id":1,"username":"xsm"}' if ok else b'{"statusCode":401,"error":"Unauthorized"}'
        self.send_response(200 if ok else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain("srv.pem", "srv.key")
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open("tls.port.tmp", "w").write(str(srv.server_address[1]))
os.rename("tls.port.tmp", "tls.port")
srv.serve_forever()
PY
python3 tls.py 2>/dev/null &
echo $! >>"$TRASH/.emu-pids"
i=0
while [ ! -s tls.port ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
PORT=$(cat tls.port)

test_expect_success 'https to a server the system does not trust fails (69), with a hint' '
	xsm connect add tenable plain --url https://127.0.0.1:$PORT --access-key-env T_ACCESS --secret-key-env T_SECRET &&
	test_expect_code 69 xsm connect test plain 2>err &&
	grep -i -q "certificate" err &&
	test_grep "^hint:" err
'

test_expect_success '--cacert adds the private CA: the same server is trusted' '
	xsm connect add tenable withca --url https://127.0.0.1:$PORT --cacert "$PWD/ca.pem" \
		--access-key-env T_ACCESS --secret-key-env T_SECRET &&
	xsm connect test withca
'

test_expect_success 'the host name is checked too: a certificate for another name fails' '
	xsm connect add tenable byname --url https://localhost:$PORT --cacert "$PWD/ca.pem" \
		--access-key-env T_ACCESS --secret-key-env T_SECRET &&
	test_expect_code 69 xsm connect test byname
'

test_expect_success 'HTTPS_PROXY is honoured (an unreachable proxy fails the call), NO_PROXY exempts' '
	HTTPS_PROXY=http://127.0.0.1:9 test_expect_code 69 xsm connect test withca 2>err &&
	HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1 xsm connect test withca
'

test_expect_success 'plain http is refused for anything but loopback, at add and in a hand-edited file' '
	test_expect_code 64 xsm connect add tenable far --url http://192.0.2.1 --access-key-env T_ACCESS --secret-key-env T_SECRET &&
	sed "s|https://127.0.0.1:$PORT|http://192.0.2.1|" "$XSM_STORE/connectors/withca.yaml" >edited &&
	cp edited "$XSM_STORE/connectors/withca.yaml" &&
	test_expect_code 78 xsm connect test withca 2>err &&
	test_grep "not allowed" err
'

test_done
