// A private CA and a server certificate for 127.0.0.1 and localhost, made once with the
// `openssl` CLI into `<data-dir>/tls/` and reused: clients trust the simulator by trusting ca.pem.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TlsFiles {
	caFile: string;
	key: string;
	cert: string;
	ca: string;
}

export async function ensureTls(dataDir: string): Promise<TlsFiles> {
	const dir = path.join(dataDir, 'tls');
	const file = (name: string) => path.join(dir, name);
	const read = (): TlsFiles => ({ caFile: file('ca.pem'), key: readFileSync(file('server-key.pem'), 'utf8'), cert: readFileSync(file('server.pem'), 'utf8'), ca: readFileSync(file('ca.pem'), 'utf8') });
	if (existsSync(file('ca.pem')) && existsSync(file('server.pem')) && existsSync(file('server-key.pem'))) return read();
	mkdirSync(dir, { recursive: true });
	const openssl = (args: string[]) => run('openssl', args, { cwd: dir });
	await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=Tributary Simulator CA',
		'-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
	await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server-key.pem', '-out', 'server.csr', '-subj', '/CN=localhost']);
	writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
	await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'server.pem', '-days', '825', '-sha256', '-extfile', 'server.ext']);
	return read();
}
