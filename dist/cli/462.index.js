export const id = 462;
export const ids = [462];
export const modules = {

/***/ 4451:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Q: () => (/* binding */ childEnvironment)
/* harmony export */ });
/**
 * The runner passes inputs (secrets included) as INPUT_* variables, and the CLI takes secrets as
 * SELFHOST_BACKUP_* variables; no child process needs them, nor the runtime's tokens.
 */
function childEnvironment(source = process.env) {
    return Object.fromEntries(Object.entries(source).filter(([name]) => !name.startsWith('INPUT_') && !name.startsWith('SELFHOST_BACKUP_') && !['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'GITHUB_TOKEN'].includes(name)));
}


/***/ }),

/***/ 151:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   G5: () => (/* binding */ command),
/* harmony export */   K$: () => (/* binding */ script),
/* harmony export */   Tk: () => (/* binding */ pipeline),
/* harmony export */   hD: () => (/* binding */ quote)
/* harmony export */ });
/* unused harmony export UnquotableValueError */
/**
 * The one place where values become shell text. Everything that reaches a shell (local bash, the remote
 * login shell through ssh, sudo) is built from these functions so hostile values stay inert.
 */
class UnquotableValueError extends Error {
}
/** POSIX single-quote a value: the only character that needs care inside '…' is the quote itself. */
function quote(value) {
    if (value.includes('\0')) {
        // A NUL would silently truncate the argument in execve; refuse instead of guessing.
        throw new UnquotableValueError('a value contains a NUL byte, which no shell argument can carry');
    }
    if (value !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value))
        return value;
    return `'${value.replace(/'/g, `'\\''`)}'`;
}
/** An argv array as one shell command line. */
function command(argv) {
    if (argv.length === 0)
        throw new Error('command() needs at least the program name');
    return argv.map(quote).join(' ');
}
/** Commands joined by pipes; the surrounding script must set pipefail (see `script`). */
function pipeline(...commands) {
    return commands.join(' | ');
}
/**
 * A bash script that fails on the first failing command or pipe stage. Lines are already-quoted
 * shell text produced by `command`/`pipeline` or fixed text written in this code base.
 */
function script(...lines) {
    return ['set -euo pipefail', ...lines].join('\n');
}


/***/ }),

/***/ 2042:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   V: () => (/* binding */ LocalTransport)
/* harmony export */ });
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _process_runner_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9867);
/* harmony import */ var _transport_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1588);



/** Runs the host-side scripts on this machine: for self-hosted runners and the CLI. */
class LocalTransport {
    settings;
    kind = 'local';
    label;
    hostId;
    constructor(settings) {
        this.settings = settings;
        const name = settings.hostName ?? (0,node_os__WEBPACK_IMPORTED_MODULE_0__.hostname)();
        this.label = `local (${name})`;
        this.hostId = (0,_transport_js__WEBPACK_IMPORTED_MODULE_2__/* .hostIdFrom */ .e)(name);
    }
    async open() { }
    run(script, options = {}) {
        // --norc: bash thinks a child with a socket for stdin was started by sshd and would read ~/.bashrc.
        if (this.settings.sudo && !options.asLoginUser) {
            return (0,_process_runner_js__WEBPACK_IMPORTED_MODULE_1__/* .runProcess */ .R)('sudo', ['-n', '--', 'bash', '--norc', '--noprofile', '-c', script], options);
        }
        return (0,_process_runner_js__WEBPACK_IMPORTED_MODULE_1__/* .runProcess */ .R)('bash', ['--norc', '--noprofile', '-c', script], options);
    }
    async close() { }
}


/***/ }),

/***/ 9867:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   R: () => (/* binding */ runProcess)
/* harmony export */ });
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _kernel_child_environment_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4451);
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2386);
/* harmony import */ var _kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6706);




const COLLECT_LIMIT = 16 * 1024 * 1024;
const STDERR_LIMIT = 64 * 1024;
/**
 * Spawns one local process (bash, sudo or ssh) and wires stdin/stdout as streams. Shared by both
 * transports so their error and streaming behaviour cannot drift apart.
 */
function runProcess(program, argv, options, env = (0,_kernel_child_environment_js__WEBPACK_IMPORTED_MODULE_3__/* .childEnvironment */ .Q)()) {
    return new Promise((resolve, reject) => {
        const child = (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawn)(program, argv, { stdio: ['pipe', 'pipe', 'pipe'], env, detached: _kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .interruption */ .Y.isolateChildren });
        const untrack = options.survivesInterruption ? () => undefined : _kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .interruption */ .Y.track(child);
        let stdout = '';
        let stderr = '';
        let settled = false;
        const fail = (error) => {
            if (settled)
                return;
            settled = true;
            child.kill('SIGTERM');
            reject(error);
        };
        if (options.stdout) {
            child.stdout.pipe(options.stdout, { end: false });
            options.stdout.once('error', fail);
        }
        else {
            child.stdout.setEncoding('utf8');
            child.stdout.on('data', (chunk) => {
                if (stdout.length < COLLECT_LIMIT)
                    stdout += chunk;
            });
        }
        child.stderr.setEncoding('utf8');
        let partialLine = '';
        child.stderr.on('data', (chunk) => {
            stderr = (stderr + chunk).slice(-STDERR_LIMIT);
            if (!options.onStderrLine)
                return;
            const lines = (partialLine + chunk).split('\n');
            partialLine = (lines.pop() ?? '').slice(-STDERR_LIMIT);
            for (const line of lines)
                options.onStderrLine(line);
        });
        // EPIPE on stdin means the process exited early; its exit code tells the real story.
        child.stdin.on('error', () => undefined);
        if (options.stdin === undefined) {
            child.stdin.end();
        }
        else if (typeof options.stdin === 'string') {
            child.stdin.end(options.stdin);
        }
        else {
            const source = options.stdin;
            source.once('error', fail);
            source.pipe(child.stdin);
        }
        child.once('error', error => fail(error));
        // Interrupted: done when the process is, not when its pipes close. An ssh client hands its pipes to the
        // connection's master, which holds them until the remote command ends on its own; the cleanup cannot wait.
        child.once('exit', () => {
            if (!_kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .interruption */ .Y.didStop(child) || !_kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .interruption */ .Y.interrupted || settled)
                return;
            settled = true;
            untrack();
            child.stdout.destroy();
            child.stderr.destroy();
            reject(new _kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .InterruptedError */ .p(_kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .interruption */ .Y.interrupted));
        });
        child.once('close', (code, signal) => {
            untrack();
            if (options.stdin !== undefined && typeof options.stdin !== 'string') {
                options.stdin.unpipe(child.stdin);
                options.stdin.destroy();
            }
            if (settled)
                return;
            settled = true;
            const exitCode = code ?? (signal ? 128 : 1);
            // Stopped because the user interrupted the tool: said as that, not as a failure of the command.
            if (_kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .interruption */ .Y.didStop(child) && _kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .interruption */ .Y.interrupted) {
                reject(new _kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .InterruptedError */ .p(_kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .interruption */ .Y.interrupted));
                return;
            }
            if (exitCode !== 0 && !options.allowFailure) {
                reject(new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .HostCommandError */ .MK(options.description ?? 'A command on the host', code, stderr, hintFor(stderr)));
                return;
            }
            resolve({ exitCode, stdout, stderr });
        });
    });
}
function hintFor(stderr) {
    if (/sudo: .*password is required|sudo: a terminal is required/.test(stderr)) {
        return 'the login user needs passwordless sudo (NOPASSWD) for `sudo -n`, or set `sudo: false` if it can read the data itself.';
    }
    if (/No space left on device|database or disk is full/i.test(stderr)) {
        return 'free space on the host: the SQLite snapshot needs as much room as the database in its temp directory (set host-temp-dir to a larger filesystem), and a restore needs room on the target filesystem.';
    }
    if (/command not found|not found$/m.test(stderr)) {
        return 'install the missing program on the host (the message above names it).';
    }
    return '';
}


/***/ }),

/***/ 462:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createTransport: () => (/* binding */ createTransport)
});

// EXTERNAL MODULE: ./src/transport/local.ts
var local = __webpack_require__(2042);
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
// EXTERNAL MODULE: ./src/kernel/interruption.ts
var interruption = __webpack_require__(6706);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/kernel/errors.ts
var errors = __webpack_require__(2386);
// EXTERNAL MODULE: ./src/kernel/child-environment.ts
var child_environment = __webpack_require__(4451);
// EXTERNAL MODULE: ./src/transport/process-runner.ts
var process_runner = __webpack_require__(9867);
// EXTERNAL MODULE: ./src/transport/ssh-args.ts
var ssh_args = __webpack_require__(2669);
// EXTERNAL MODULE: ./src/transport/transport.ts
var transport = __webpack_require__(1588);
;// CONCATENATED MODULE: ./src/transport/ssh.ts










/** OpenSSH client with one multiplexed connection for the whole run. */
class SshTransport {
    settings;
    logger;
    onWorkDir;
    kind = 'ssh';
    label;
    hostId;
    files;
    workDir;
    master;
    constructor(settings, logger, 
    /** Called with the work dir as soon as it exists, so a post step can remove it after a crash. */
    onWorkDir = () => undefined) {
        this.settings = settings;
        this.logger = logger;
        this.onWorkDir = onWorkDir;
        const { user, host, port } = settings.target;
        this.label = `${user}@${host}:${port}`;
        this.hostId = (0,transport/* hostIdFrom */.e)(port === 22 ? host : `${host}-${port}`);
    }
    async open() {
        this.workDir = await (0,promises_.mkdtemp)((0,external_node_path_.join)(this.settings.tempRoot ?? (0,external_node_os_.tmpdir)(), 'sb-ssh-'));
        await (0,promises_.chmod)(this.workDir, 0o700);
        this.onWorkDir(this.workDir);
        const files = {
            configFile: (0,external_node_path_.join)(this.workDir, 'config'),
            keyFile: (0,external_node_path_.join)(this.workDir, 'key'),
            knownHostsFile: (0,external_node_path_.join)(this.workDir, 'known_hosts'),
            controlPath: (0,external_node_path_.join)(this.workDir, 'cm')
        };
        this.files = files;
        try {
            const key = this.settings.privateKey.replace(/\r\n/g, '\n').trim() + '\n';
            await (0,promises_.writeFile)(files.keyFile, key, { mode: 0o600 });
            await (0,promises_.writeFile)(files.knownHostsFile, this.settings.knownHosts.trim() + '\n', { mode: 0o600 });
            await (0,promises_.writeFile)(files.configFile, (0,ssh_args/* buildSshConfig */.$1)(this.settings, files), { mode: 0o600 });
            await this.checkKeyIsUsable(files.keyFile);
            await this.startMaster(files);
        }
        catch (error) {
            // A failed connection must not leave the key behind (the CLI has no post step).
            await this.close();
            throw error;
        }
    }
    async run(script, options = {}) {
        if (!this.files)
            throw new Error('SshTransport.run called before open()');
        const sudo = this.settings.sudo && !options.asLoginUser;
        try {
            return await (0,process_runner/* runProcess */.R)('ssh', (0,ssh_args/* remoteCommandArgs */.P1)(this.files.configFile, script, sudo), options);
        }
        catch (error) {
            // 255 is ssh's own failure; with a multiplexed connection it says nothing on stderr, so name the cause.
            if (error instanceof errors/* HostCommandError */.MK && error.exitCode === 255 && !options.allowFailure) {
                throw new errors/* HostCommandError */.MK(options.description ?? 'A command on the host', 255, error.stderr, 'nothing was stored or changed beyond the step named above; check the network and the host (sshd log, memory), then run the job again.', `the SSH connection to ${this.label} was lost`);
            }
            throw error;
        }
    }
    async close() {
        if (this.files && this.master && this.master.exitCode === null) {
            await (0,process_runner/* runProcess */.R)('ssh', (0,ssh_args/* controlArgs */.DC)(this.files.configFile, 'exit'), { allowFailure: true }).catch(() => undefined);
            this.master.kill('SIGTERM');
        }
        this.master = undefined;
        if (this.workDir)
            await (0,promises_.rm)(this.workDir, { recursive: true, force: true });
        this.workDir = undefined;
        this.files = undefined;
    }
    async checkKeyIsUsable(keyFile) {
        // -P '' makes an encrypted key fail instead of prompting; the passphrase is not a secret here.
        const result = await (0,process_runner/* runProcess */.R)('ssh-keygen', ['-y', '-P', '', '-f', keyFile], { allowFailure: true });
        if (result.exitCode !== 0) {
            const encrypted = /incorrect passphrase|passphrase/i.test(result.stderr);
            throw new errors/* InputError */.dz('ssh-key', encrypted
                ? 'the private key is protected by a passphrase, which an unattended backup cannot type.'
                : 'this is not a usable OpenSSH private key (it may be a public key, truncated, or mangled by copy and paste).', encrypted
                ? 'create a dedicated key without a passphrase (ssh-keygen -t ed25519 -N "" -f backup_key) and store its content as a secret.'
                : 'store the whole private key file, from "-----BEGIN" to "-----END … KEY-----", as the secret.');
        }
    }
    async startMaster(files) {
        if (this.settings.insecureSkipHostKeyCheck) {
            this.logger.warning(`insecure-skip-host-key-check is on: the identity of ${this.label} is NOT verified, so a machine in the middle could receive your data. Set known-hosts instead.`);
        }
        // Its own process group in the command-line tool: Ctrl-C must not cut the connection the cleanup needs.
        const master = (0,external_node_child_process_.spawn)('ssh', (0,ssh_args/* masterArgs */.ws)(files.configFile), { stdio: ['ignore', 'ignore', 'pipe'], env: (0,child_environment/* childEnvironment */.Q)(), detached: interruption/* interruption */.Y.isolateChildren });
        this.master = master;
        let stderr = '';
        master.stderr?.setEncoding('utf8');
        master.stderr?.on('data', (chunk) => (stderr += chunk));
        const exited = new Promise(resolve => master.once('close', code => resolve(code)));
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline) {
            const state = await Promise.race([exited.then(code => ({ code })), sleep(150).then(() => null)]);
            if (state)
                throw this.connectionError(state.code, stderr);
            const check = await (0,process_runner/* runProcess */.R)('ssh', (0,ssh_args/* controlArgs */.DC)(files.configFile, 'check'), { allowFailure: true });
            if (check.exitCode === 0)
                return;
        }
        master.kill('SIGTERM');
        throw new errors/* SelfhostBackupError */.FZ(`Timed out connecting to ${this.label}.`, 'check `host` and `port`, and that the host is reachable from the runner.');
    }
    connectionError(code, stderr) {
        const jump = this.settings.jump && failedAtJumpHost(stderr, this.settings.jump, this.settings.target) ? this.settings.jump : undefined;
        const endpoint = jump ?? this.settings.target;
        const where = jump ? `the jump host ${endpoint.user}@${endpoint.host}:${endpoint.port}` : this.label;
        const onHost = jump ? 'on the jump host' : 'on the host';
        if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/i.test(stderr)) {
            return new errors/* InputError */.dz('known-hosts', `the host key of ${where} is not the one in known-hosts (or known-hosts has no line for it).`, `run \`ssh-keyscan -p ${endpoint.port} ${endpoint.host}\` from a trusted network, check the fingerprint against that server (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), and store the lines as the known-hosts secret${jump ? ' (it needs the lines of both the jump host and the target)' : ''}.`);
        }
        if (/Permission denied/i.test(stderr)) {
            return new errors/* InputError */.dz('ssh-key', `${where} refused the key (Permission denied).`, `add the public key to ~${endpoint.user}/.ssh/authorized_keys ${onHost}, and check \`${jump ? 'jump-host' : 'user'}\`.`);
        }
        const unreachable = /Connection refused|timed out|No route to host|Could not resolve|Name or service not known|Network is unreachable/i;
        if (unreachable.test(stderr)) {
            const reason = stderr
                .split('\n')
                .find(line => unreachable.test(line))
                ?.trim() ?? '';
            return jump
                ? new errors/* InputError */.dz('jump-host', `cannot reach ${where}: ${reason}`, 'check `jump-host` ([user@]host[:port]), and that sshd runs there and lets the runner in.')
                : new errors/* InputError */.dz('host', `cannot reach ${where}: ${reason}`, 'check `host` and `port`, and that sshd runs and the firewall lets the runner in.');
        }
        return new errors/* HostCommandError */.MK(`Connecting to ${where} with ssh`, code, stderr);
    }
}
/** With ProxyJump both hops write to one stderr; ssh names the endpoint in the messages that matter. */
function failedAtJumpHost(stderr, jump, target) {
    const host = escapeRegExp(jump.host);
    const named = jump.port === 22 ? `(\\[${host}\\]:22|${host})` : `\\[${host}\\]:${jump.port}`;
    const signs = [`connect to host ${host} port ${jump.port}:`, `host key is known for ${named}[ ,]`, `Host key for ${named} has changed`];
    // "user@host: Permission denied" has no port: it tells the hops apart only when user@host differ.
    if (jump.user !== target.user || jump.host !== target.host)
        signs.push(`^${escapeRegExp(jump.user)}@${host}: Permission denied`);
    return new RegExp(signs.join('|'), 'm').test(stderr);
}
function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
function sleep(ms) {
    return new Promise(resolve => setTimeout(resolve, ms));
}

;// CONCATENATED MODULE: ./src/transport/settings.ts


function createTransport(settings, logger, options = {}) {
    if (settings.kind === 'local')
        return new local/* LocalTransport */.V({ sudo: settings.sudo });
    return new SshTransport({ ...settings, tempRoot: options.tempRoot }, logger, options.onWorkDir);
}


/***/ }),

/***/ 2669:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $1: () => (/* binding */ buildSshConfig),
/* harmony export */   Bk: () => (/* binding */ parseEndpoint),
/* harmony export */   DC: () => (/* binding */ controlArgs),
/* harmony export */   P1: () => (/* binding */ remoteCommandArgs),
/* harmony export */   ws: () => (/* binding */ masterArgs)
/* harmony export */ });
/* unused harmony export TARGET_ALIAS */
/* harmony import */ var _kernel_shell_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(151);

const TARGET_ALIAS = 'selfhost-backup-target';
const JUMP_ALIAS = 'selfhost-backup-jump';
/**
 * The ssh client configuration as a file, so the jump host gets the same key, known_hosts and strict
 * checking as the target (command-line -o options are not passed on to ProxyJump's inner ssh).
 * Host, user and port were validated to a safe character set when the inputs were parsed.
 */
function buildSshConfig(settings, files) {
    const common = [
        `IdentityFile "${files.keyFile}"`,
        'IdentitiesOnly yes',
        'IdentityAgent none',
        'BatchMode yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'ConnectTimeout 20',
        'ServerAliveInterval 15',
        'ServerAliveCountMax 4',
        // Backups move GBs through one connection: AES-GCM runs on the CPU's AES instructions, several times
        // cheaper than the default chacha20 there; the rest of OpenSSH's default list stays as the fallback.
        'Ciphers ^aes128-gcm@openssh.com,aes256-gcm@openssh.com',
        'Compression no',
        'LogLevel ERROR',
        ...(settings.insecureSkipHostKeyCheck ? ['StrictHostKeyChecking no', 'UserKnownHostsFile /dev/null'] : ['StrictHostKeyChecking yes', `UserKnownHostsFile "${files.knownHostsFile}"`]),
        'GlobalKnownHostsFile /dev/null',
        'UpdateHostKeys no',
        'ForwardAgent no',
        'ClearAllForwardings yes'
    ];
    const block = (alias, endpoint, extra) => [
        `Host ${alias}`,
        `  HostName ${endpoint.host}`,
        `  Port ${endpoint.port}`,
        `  User ${endpoint.user}`,
        ...[...extra, ...common].map(line => `  ${line}`)
    ];
    const targetExtra = ['ControlMaster no', `ControlPath "${files.controlPath}"`, ...(settings.jump ? [`ProxyJump ${JUMP_ALIAS}`] : [])];
    const lines = [...block(TARGET_ALIAS, settings.target, targetExtra)];
    if (settings.jump)
        lines.push(...block(JUMP_ALIAS, settings.jump, []));
    return `${lines.join('\n')}\n`;
}
/** The long-lived master connection every later command multiplexes over. */
function masterArgs(configFile) {
    return ['-F', configFile, '-o', 'ControlMaster=yes', '-N', TARGET_ALIAS];
}
function controlArgs(configFile, operation) {
    return ['-F', configFile, '-O', operation, TARGET_ALIAS];
}
/**
 * argv for one remote command. ssh hands the command to the remote login shell as one string, so the
 * script is quoted once here and runs under bash (pipefail) — through `sudo -n` when asked.
 */
function remoteCommandArgs(configFile, script, sudo) {
    const remote = `${sudo ? 'sudo -n -- ' : ''}bash -c ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_0__/* .quote */ .hD)(script)}`;
    return ['-F', configFile, '-T', TARGET_ALIAS, remote];
}
/** "[user@]host[:port]" → endpoint; validated by the input parser before it gets here. */
function parseEndpoint(value, defaults) {
    let rest = value;
    let user = defaults.user;
    const at = rest.lastIndexOf('@');
    if (at >= 0) {
        user = rest.slice(0, at);
        rest = rest.slice(at + 1);
    }
    let port = defaults.port;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
    if (bracketed) {
        rest = bracketed[1];
        if (bracketed[2])
            port = Number(bracketed[2]);
    }
    else if (/^[^:]+:\d+$/.test(rest)) {
        const colon = rest.lastIndexOf(':');
        port = Number(rest.slice(colon + 1));
        rest = rest.slice(0, colon);
    }
    return { host: rest, port, user };
}


/***/ }),

/***/ 1588:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   e: () => (/* binding */ hostIdFrom)
/* harmony export */ });
/** Slug safe for artifact names (no ":", "/", quotes, spaces) and unambiguous inside a backup id. */
function hostIdFrom(name) {
    const slug = name
        .toLowerCase()
        .replace(/[^a-z0-9.]+/g, '-')
        .replace(/-{2,}/g, '-')
        .replace(/^[-.]+|[-.]+$/g, '');
    return slug || 'host';
}


/***/ })

};
