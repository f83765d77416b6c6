export const id = 465;
export const ids = [465,473];
export const modules = {

/***/ 490:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   c$: () => (/* binding */ mapWithLimit),
/* harmony export */   fz: () => (/* binding */ allToTheEnd),
/* harmony export */   gu: () => (/* binding */ settled)
/* harmony export */ });
/**
 * Waits for every task, then throws the first failure: work that runs side by side on the host (dumps,
 * imports, an extraction) is never left running unseen behind an early error, e.g. after a lock is released.
 */
async function allToTheEnd(tasks) {
    const outcomes = await Promise.allSettled(tasks);
    for (const outcome of outcomes)
        if (outcome.status === 'rejected')
            throw outcome.reason;
    return outcomes.map(outcome => outcome.value);
}
/**
 * `work` over every item, at most `limit` at a time, results in the items' order. After a failure no new item
 * starts; the first failure is thrown once all started work ended.
 */
async function mapWithLimit(items, limit, work) {
    const results = new Array(items.length);
    let next = 0;
    let failed = false;
    const lane = async () => {
        while (next < items.length && !failed) {
            const index = next++;
            results[index] = await work(items[index], index).catch(error => {
                failed = true;
                throw error;
            });
        }
    };
    await allToTheEnd(Array.from({ length: Math.min(limit, items.length) }, lane));
    return results;
}
/** The value of a settled outcome, or its error thrown: for work asked side by side and judged in a fixed order. */
function settled(outcome) {
    if (outcome.status === 'rejected')
        throw outcome.reason;
    return outcome.value;
}


/***/ }),

/***/ 473:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   InputReader: () => (/* binding */ InputReader)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2386);


const MAX_INPUT_LENGTH = 65_536;
/** Typed access to raw input strings, with errors that name the input and the accepted values. */
class InputReader {
    get;
    constructor(get) {
        this.get = get;
    }
    string(name, options = {}) {
        const value = (this.get(name) ?? '').trim();
        const maxLength = options.maxLength ?? MAX_INPUT_LENGTH;
        if (value.length > maxLength)
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(name, `the value is ${value.length} characters long; at most ${maxLength} are accepted.`, 'check that the right value or secret is passed.');
        if (value.includes('\0'))
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(name, 'the value contains a NUL byte.', 'remove it.');
        if (!options.multiline && /[\r\n]/.test(value))
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(name, 'the value spans several lines; one line is expected.', 'remove the line breaks.');
        return value;
    }
    /** An absolute path on the host, normalized without a trailing slash; '' when not given. `hint` says what to give instead. */
    absolutePath(name, hint, options = {}) {
        const value = this.string(name, options);
        if (value && !value.startsWith('/'))
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(name, `"${value}" is not an absolute path.`, hint);
        return value ? node_path__WEBPACK_IMPORTED_MODULE_0__.posix.normalize(value).replace(/(.)\/$/, '$1') : '';
    }
    required(name, why) {
        const value = this.string(name, { multiline: true });
        if (!value)
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(name, `is required ${why}.`, `set \`${name}\`.`);
        return value;
    }
    boolean(name) {
        const value = this.string(name).toLowerCase();
        if (['true', 'yes', '1', 'on'].includes(value))
            return true;
        if (['false', 'no', '0', 'off', ''].includes(value))
            return false;
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(name, `"${value}" is not a boolean.`, 'use true or false.');
    }
    integer(name, range) {
        const value = this.string(name);
        if (value === '')
            return undefined;
        if (!/^-?\d+$/.test(value) || Number(value) < range.min || Number(value) > range.max) {
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(name, `"${value}" is not a whole number from ${range.min} to ${range.max}.`, `use a number between ${range.min} and ${range.max}.`);
        }
        return Number(value);
    }
    /** A size in bytes: a whole number with an optional binary unit (K, M, G: 1024, 1024², 1024³), e.g. 256M. */
    byteSize(name, range) {
        const value = this.string(name);
        if (value === '')
            return undefined;
        const match = /^(\d+)\s*([KMG]?)(i?B)?$/i.exec(value);
        const bytes = match ? Number(match[1]) * 1024 ** ['', 'K', 'M', 'G'].indexOf(match[2].toUpperCase()) : Number.NaN;
        if (!(bytes >= range.min && bytes <= range.max)) {
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(name, `"${value}" is not a size from ${sizeText(range.min)} to ${sizeText(range.max)}.`, 'write a whole number with K, M or G (powers of 1024), e.g. 256M.');
        }
        return bytes;
    }
    choice(name, choices) {
        const value = this.string(name);
        if (!choices.includes(value))
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(name, `"${value}" is not one of ${choices.join(', ')}.`, `use one of: ${choices.join(', ')}.`);
        return value;
    }
}
/** 1048576 → 1M: the largest unit that divides the size. */
function sizeText(bytes) {
    for (const [unit, factor] of [
        ['G', 1024 ** 3],
        ['M', 1024 ** 2],
        ['K', 1024]
    ])
        if (bytes % factor === 0)
            return `${bytes / factor}${unit}`;
    return String(bytes);
}


/***/ }),

/***/ 4174:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   i: () => (/* binding */ readWithProgress),
/* harmony export */   x: () => (/* binding */ progressReporter)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _log_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8807);



/** A part file read for the host, logging its progress like a backup's parts do. */
function readWithProgress(path, name, logger, intervalMs = 10_000) {
    const report = progressReporter(logger, name, Date.now(), intervalMs);
    let bytes = 0;
    // Counted in a Transform, not a 'data' listener: a listener starts the flow at once, and whatever is read
    // before the caller pipes the stream (e.g. while a database is dropped and re-created) would be lost.
    const counter = new node_stream__WEBPACK_IMPORTED_MODULE_1__.Transform({
        transform(chunk, _encoding, done) {
            bytes += chunk.length;
            report(bytes);
            done(null, chunk);
        }
    });
    const source = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.createReadStream)(path);
    source.once('error', error => counter.destroy(error));
    return source.pipe(counter);
}
/** Logs bytes so far and throughput at most every 10 s, so long parts show they are alive. */
function progressReporter(logger, name, started, intervalMs = 10_000) {
    let lastReport = started;
    return bytes => {
        const now = Date.now();
        if (now - lastReport < intervalMs)
            return;
        lastReport = now;
        const rate = bytes / Math.max((now - started) / 1000, 0.001);
        logger.info(`${name}: ${(0,_log_js__WEBPACK_IMPORTED_MODULE_2__/* .formatBytes */ .z3)(bytes)} so far (${(0,_log_js__WEBPACK_IMPORTED_MODULE_2__/* .formatBytes */ .z3)(rate)}/s)`);
    };
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

/***/ 4899:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   GC: () => (/* binding */ explainRefusal),
/* harmony export */   O7: () => (/* binding */ removeStaging),
/* harmony export */   QI: () => (/* binding */ OPEN_NEW_STAGING),
/* harmony export */   Y0: () => (/* binding */ RESTORE_HOST_NEEDS),
/* harmony export */   bQ: () => (/* binding */ pinDirectory),
/* harmony export */   e8: () => (/* binding */ runPinned),
/* harmony export */   gB: () => (/* binding */ parseRelativePaths),
/* harmony export */   gK: () => (/* binding */ pinnedLines),
/* harmony export */   gr: () => (/* binding */ STAGING_REASONS),
/* harmony export */   nN: () => (/* binding */ ownStep),
/* harmony export */   or: () => (/* binding */ stagePart),
/* harmony export */   p9: () => (/* binding */ existingOnHost),
/* harmony export */   pf: () => (/* binding */ pinnedChild),
/* harmony export */   qp: () => (/* binding */ createStaging),
/* harmony export */   sw: () => (/* binding */ pinChild)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2386);
/* harmony import */ var _kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(151);
/* harmony import */ var _sources_tar_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(9401);
/* harmony import */ var _recipe_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4817);





/** A list input of paths relative to the app's root (newline, comma or space separated). */
function parseRelativePaths(input, value) {
    const paths = value
        .split(/[\n,]+|\s+/)
        .map(path => path.trim())
        .filter(Boolean);
    for (const path of paths) {
        const problem = (0,_recipe_js__WEBPACK_IMPORTED_MODULE_3__/* .relativePathProblem */ .BE)(path);
        if (problem)
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(input, `"${path}" ${problem}.`, 'write paths like models or logs/old.');
    }
    return paths.map(path => node_path__WEBPACK_IMPORTED_MODULE_0__.posix.normalize(path).replace(/\/$/, ''));
}
/**
 * Which of `paths` (absolute) exist on the host, as one round trip; `test` is -e (anything) or -d (directories).
 * The host answers with indexes, not paths, because a path may itself contain newlines.
 */
async function existingOnHost(host, paths, test, description) {
    const candidates = paths.filter(Boolean);
    const checks = candidates.map((path, index) => `if [ ${test} ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .quote */ .hD)(path)} ]; then echo ${index}; fi`);
    const result = await host.run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .script */ .K$)(...checks), { description });
    return result.stdout
        .split('\n')
        .filter(Boolean)
        .map(index => candidates[Number(index)]);
}
/** The directory `step` names inside `parent`, pinned by the identity the step holds. */
function pinnedChild(parent, step) {
    return { path: node_path__WEBPACK_IMPORTED_MODULE_0__.posix.join(parent.path, step.name), steps: [...parent.steps, step] };
}
/** The last step of a pinned directory: its own name in its parent, and its identity. */
function ownStep(dir) {
    return dir.steps[dir.steps.length - 1];
}
const REFUSED_EXIT_CODE = 87;
/** What the pinned scripts need on the host, as [shell test, problem]: checked by each recipe's preflight for a restore. */
const RESTORE_HOST_NEEDS = [
    ['[ -d /proc/self/fd ]', '/proc is not mounted; a restore reaches the directories it pinned through /proc/self/fd'],
    ['(( BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 4) ))', 'bash is older than 4.4, which a restore needs (mapfile -d)'],
    ['command -v sha256sum >/dev/null', 'sha256sum (coreutils) is not installed; a restore checks every part with it where it lands on the host'],
    ['tee -p /dev/null < /dev/null 2>/dev/null', 'tee does not take -p (GNU coreutils 8.24 or later), which a restore uses to hash each tarball as it is extracted']
];
/**
 * selfhost_open VARIABLE PATH IDENTITY STEP MODE opens the directory PATH on a descriptor, stored in VARIABLE,
 * and proves it is the one pinned as IDENTITY (empty: not pinned yet); in strict MODE PATH must be that
 * directory itself, not a link to it. Fixed text: every value arrives as an argument.
 */
const PIN_FUNCTIONS = String.raw `selfhost_refuse() { printf 'selfhost-backup-refused %s %s\n' "$1" "$2" >&2; exit ${REFUSED_EXIT_CODE}; }
selfhost_open() {
  local fd actual
  [ -d "$2" ] || selfhost_refuse "$4" missing
  exec {fd}< "$2"
  actual=$(stat -L -c %d:%i -- "/proc/self/fd/$fd")
  if [ -n "$3" ] && [ "$actual" != "$3" ]; then selfhost_refuse "$4" replaced; fi
  if [ "$5" = strict ] && [ "$(stat -c %d:%i -- "$2")" != "$actual" ]; then selfhost_refuse "$4" link; fi
  printf -v "$1" %s "$fd"
}`;
function openLines(dirs) {
    return Object.entries(dirs).flatMap(([variable, dir]) => dir.steps.map((step, index) => {
        const path = index === 0 ? (0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .quote */ .hD)(step.name) : `"/proc/self/fd/$${variable}"/${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .quote */ .hD)(step.name)}`;
        return `selfhost_open ${variable} ${path} ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .quote */ .hD)(step.identity)} ${variable}.${index} ${index === 0 ? 'as-configured' : 'strict'}`;
    }));
}
/** Shell lines that open every directory of `dirs` on the descriptor in the variable of its key, and cd -P into `enter`. */
function pinnedLines(dirs, enter) {
    return ['export LC_ALL=C', PIN_FUNCTIONS, ...openLines(dirs), ...(enter ? [`cd -P "/proc/self/fd/$${enter}"`] : [])];
}
/** Runs `lines` after pinning `dirs`; a refusal on the host becomes a VerificationError that names the directory. */
async function runPinned(host, dirs, lines, options) {
    return host.run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .script */ .K$)(...pinnedLines(dirs), ...lines), options).catch(error => {
        throw explainRefusal(error, dirs, options.reasons);
    });
}
const PIN_REASONS = {
    missing: 'is gone or no longer a directory',
    replaced: 'was replaced by another directory while the restore ran',
    link: 'is a symbolic link or not the directory it was (a restore never writes through links)'
};
/** A refusal by the pinning functions on the host, as a VerificationError naming the directory; other errors pass. */
function explainRefusal(error, dirs, reasons = {}) {
    if (!(error instanceof _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .HostCommandError */ .MK) || error.exitCode !== REFUSED_EXIT_CODE)
        return error;
    const [, what = '', reason = ''] = /selfhost-backup-refused (\S+) (\S+)/.exec(error.stderr) ?? [];
    const [variable, index] = what.split('.');
    const dir = dirs[variable];
    const message = dir && index !== undefined ? `${JSON.stringify(pathAt(dir, Number(index)))} ${PIN_REASONS[reason] ?? reason}` : (reasons[`${what} ${reason}`] ?? `${what} ${reason}`);
    return new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .VerificationError */ .mk(`The restore stopped: ${message}.`, "find out what changed the application's directory while the restore ran (its user's processes should be stopped), then restore again; the safety copy holds the data from before.");
}
function pathAt(dir, index) {
    return dir.steps.slice(1, index + 1).reduce((path, step) => node_path__WEBPACK_IMPORTED_MODULE_0__.posix.join(path, step.name), dir.steps[0].name);
}
function identityFrom(stdout, what) {
    const identity = stdout.trim().split('\n').pop() ?? '';
    if (!/^\d+:\d+$/.test(identity))
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .HostCommandError */ .MK(what, 0, `unexpected answer ${JSON.stringify(stdout.slice(-200))}`);
    return identity;
}
/** Creates `path` if it is missing and pins it: the configured directory itself may be reached through a link. */
async function pinDirectory(host, path) {
    const description = `Opening ${path}`;
    const result = await host.run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .script */ .K$)(`mkdir -p -- ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .quote */ .hD)(path)}`, `stat -L -c %d:%i -- ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .quote */ .hD)(path)}`), { description });
    return { path, steps: [{ name: path, identity: identityFrom(result.stdout, description) }] };
}
/** Pins `name` inside `parent`, creating it when missing; it must be a real directory, never a link. */
async function pinChild(host, parent, name) {
    const child = pinnedChild(parent, { name, identity: '' });
    const description = `Opening ${child.path}`;
    const lines = [
        ...pinnedLines({ parent }),
        `entry="/proc/self/fd/$parent"/${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .quote */ .hD)(name)}`,
        // mkdir never follows a link in the last component: a planted link makes it fail, and the open below refuse.
        '[ -e "$entry" ] || [ -L "$entry" ] || mkdir -- "$entry"',
        ...openLines({ child }),
        'stat -L -c %d:%i -- "/proc/self/fd/$child"'
    ];
    const result = await host.run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .script */ .K$)(...lines), { description }).catch(error => {
        throw explainRefusal(error, { parent, child });
    });
    ownStep(child).identity = identityFrom(result.stdout, description);
    return child;
}
/**
 * Shell lines that make a fresh 0700 directory of the effective user inside the pinned `$dir` (same filesystem:
 * moving out of it is a rename) and open it as $from, setting $staging_name and $staging_identity. The app's
 * user may rename entries of its own directory at any moment: a link or a directory of anyone else put in
 * its place before it is opened is refused, so nothing is ever written through a name the user chose.
 */
const OPEN_NEW_STAGING = [
    'staging_name=$(mktemp -d "/proc/self/fd/$dir/.selfhost-restore.XXXXXXXX"); staging_name=${staging_name##*/}',
    'exec {from}< "/proc/self/fd/$dir/$staging_name"',
    'staging_identity=$(stat -L -c %d:%i -- "/proc/self/fd/$from")',
    '[ "$(stat -c %d:%i -- "/proc/self/fd/$dir/$staging_name")" = "$staging_identity" ] || selfhost_refuse staging replaced',
    '[ "$(stat -L -c %u -- "/proc/self/fd/$from")" = "$EUID" ] || selfhost_refuse staging replaced'
];
const STAGING_REASONS = { 'staging replaced': 'the staging directory beside the data was replaced while the restore ran' };
/** A fresh staging directory in `dir` (see OPEN_NEW_STAGING) with `new` (what the restore puts in place) and `old` (what it replaces, kept by rename). */
async function createStaging(host, dir) {
    const description = `Preparing a staging directory in ${dir.path}`;
    const result = await runPinned(host, { dir }, [...OPEN_NEW_STAGING, 'mkdir -- "/proc/self/fd/$from/old" "/proc/self/fd/$from/new"', 'printf \'%s\\n%s\\n\' "$staging_name" "$staging_identity"'], {
        description,
        reasons: STAGING_REASONS
    });
    const [name = '', identity = ''] = result.stdout.trim().split('\n').slice(-2);
    if (!/^\.selfhost-restore\.[A-Za-z0-9]+$/.test(name))
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .HostCommandError */ .MK(description, 0, `unexpected answer ${JSON.stringify(result.stdout.slice(-200))}`);
    return pinnedChild(dir, { name, identity: identityFrom(identity, description) });
}
/**
 * A staging directory in `dir` whose `new` holds the tarball part's tree, extracted and checked there (a part
 * the fetch already extracted and checked moves beside the data with its swap instead). A failure removes it.
 */
async function stagePart(host, dir, part, description, logger) {
    const staging = await createStaging(host, dir);
    try {
        await extractChecked(host, staging, part, description, logger);
    }
    catch (error) {
        await removeStaging(host, staging, logger);
        throw error;
    }
    return staging;
}
/** Removes the staging directory; only the one this restore made, never a link or directory put under its name. */
async function removeStaging(host, staging, logger) {
    const parent = { path: node_path__WEBPACK_IMPORTED_MODULE_0__.posix.dirname(staging.path), steps: staging.steps.slice(0, -1) };
    const own = ownStep(staging);
    await runPinned(host, { parent }, [`entry="/proc/self/fd/$parent"/${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .quote */ .hD)(own.name)}`, `if [ "$(stat -c %d:%i -- "$entry" 2>/dev/null)" = ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .quote */ .hD)(own.identity)} ]; then rm -rf -- "$entry"; fi`], {
        description: `Removing ${staging.path}`
    }).catch(error => logger.warning(`The staging directory ${JSON.stringify(staging.path)} was not removed: ${error.message}`));
}
/**
 * Extracts a tarball part into the staging directory's `new`, an incremental one after the links it builds on,
 * in order, deletions included; the tree is checked on disk after each link. Any entry a restore must not
 * write (a link resolving outside, a device, FIFO or socket, a set-id file, a hard link to outside) refuses it.
 */
async function extractChecked(host, staging, part, description, logger) {
    const links = [...(part.chain ?? []), part];
    for (const [index, link] of links.entries()) {
        const step = links.length > 1 ? ` (${index + 1} of ${links.length}: ${link.record.file})` : '';
        const spec = {
            enter: pinnedLines({ staging }, 'staging'),
            dest: 'new',
            compression: link.record.compression,
            description: `${description}${step}`,
            incremental: link.record.incremental !== undefined
        };
        const found = await (0,_sources_tar_js__WEBPACK_IMPORTED_MODULE_2__/* .extractTarConfined */ .Tl)(host, spec, (0,_recipe_js__WEBPACK_IMPORTED_MODULE_3__/* .partInput */ .SI)(link, `${description}${step}`, logger)).catch(error => {
            throw explainRefusal(error, { staging });
        });
        const unsafe = (0,_sources_tar_js__WEBPACK_IMPORTED_MODULE_2__/* .unsafeTreeError */ .DI)(link.record.file, found);
        if (unsafe)
            throw unsafe;
    }
}


/***/ }),

/***/ 4466:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  I_: () => (/* binding */ REPLACED_PREFIX),
  li: () => (/* binding */ SwapJournal),
  pK: () => (/* binding */ putBack),
  QY: () => (/* binding */ replaceDirectory),
  fu: () => (/* binding */ replaceTree)
});

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/kernel/log.ts
var log = __webpack_require__(8807);
// EXTERNAL MODULE: ./src/kernel/errors.ts
var errors = __webpack_require__(2386);
// EXTERNAL MODULE: ./src/kernel/shell.ts
var shell = __webpack_require__(151);
// EXTERNAL MODULE: ./src/recipes/host-files.ts
var host_files = __webpack_require__(4899);
// EXTERNAL MODULE: ./src/sources/tar.ts
var tar = __webpack_require__(9401);
;// CONCATENATED MODULE: ./src/recipes/swap-scripts.ts




/** Paths every tree swap leaves where they are: what earlier restores replaced, and their staging directories. */
const ALWAYS_KEPT = tar/* RESTORE_LEFTOVER_NAMES */.GX.flatMap(name => [name, `*/${name}`]);
/**
 * Moves the tree in `source` into `target` (both descriptors), putting what it replaces into `aside`:
 * at each level, what is neither kept nor a real directory on the way to a kept path is renamed into
 * `aside`, then each entry of `source` is renamed in, or merged into the directory the target still has
 * there (after checking it is that directory, not a link), which then takes the source's mode, times and
 * (as root) owner. `aside` mirrors the directories merged into, with their original mode, owner and times,
 * so the same script with source and aside exchanged puts everything back. Every path goes through a
 * pinned descriptor and ends in one name that mv acts on without following it. Expects `keep`, `skip_name`.
 */
const MERGE_SCRIPT = [
    // NUL-separated output of a command into an array, failing when the command fails. Not `wait $!` after a
    // process substitution: under load bash 5.2 can report 255 there for a command that succeeded.
    'collect() {',
    '  local -n collect_into=$1',
    '  shift',
    '  mapfile -d "" -t collect_into < <("$@"; printf "selfhost-status=%s\\0" "$?")',
    '  local last=${collect_into[-1]-}',
    '  if [ "$last" != selfhost-status=0 ]; then echo "selfhost-backup: $1 failed (${last#selfhost-status=})" >&2; exit 1; fi',
    "  unset 'collect_into[-1]'",
    '}',
    'device=$(stat -L -c %d -- "/proc/self/fd/$aside")',
    'printf "%s\\0" selfhost-backup-records',
    'is_kept() { local pattern; for pattern in "${keep[@]}"; do [[ $1 == $pattern ]] && return 0; done; return 1; }',
    'on_the_way=()',
    'is_on_the_way() { local known; for known in "${on_the_way[@]}"; do [ "$known" = "$1" ] && return 0; done; return 1; }',
    'wanted=()',
    'for pattern in "${keep[@]}"; do wanted+=(${wanted[0]+-o} -path "./$pattern"); done',
    'find_kept() { cd -P "/proc/self/fd/$target" && find . -mindepth 1 -path "./$skip_name" -prune -o \\( "${wanted[@]}" \\) -prune -print0; }',
    'collect found find_kept',
    'for path in "${found[@]}"; do',
    '  path=${path#./}',
    '  while [[ $path == */* ]]; do path=${path%/*}; is_on_the_way "$path" || on_the_way+=("$path"); done',
    'done',
    'for path in "${on_the_way[@]}"; do',
    '  if [ "$(stat -c %d -- "/proc/self/fd/$target/$path" 2>/dev/null || echo "$device")" != "$device" ]; then selfhost_refuse merge mount; fi',
    'done',
    'enter() {',
    '  local fd entry=/proc/self/fd/$2/$3',
    '  { [ -d "$entry" ] && [ ! -L "$entry" ]; } || return 1',
    '  exec {fd}< "$entry"',
    '  if [ "$(stat -c %d:%i -- "$entry")" != "$(stat -L -c %d:%i -- "/proc/self/fd/$fd")" ]; then exec {fd}<&-; return 1; fi',
    '  printf -v "$1" %s "$fd"',
    '}',
    'adopt() {',
    '  if [ "$EUID" -eq 0 ]; then chown -- "$(stat -L -c %u:%g -- "/proc/self/fd/$1")" "/proc/self/fd/$2"; fi',
    '  chmod -- "$(printf "0%04d" "$(stat -L -c %a -- "/proc/self/fd/$1")")" "/proc/self/fd/$2"',
    '  touch -r "/proc/self/fd/$1" -- "/proc/self/fd/$2"',
    '}',
    'merge() {',
    '  local into=$1 from=$2 beside=$3 relative=$4 name path entry staged inner_into inner_from inner_beside names when',
    // The directory's own mode, owner and times go with what it held, before any rename changes its mtime.
    '  when=$(stat -L -c %y -- "/proc/self/fd/$into")',
    '  adopt "$into" "$beside"',
    '  collect names find "/proc/self/fd/$into/" -mindepth 1 -maxdepth 1 -printf "%f\\0"',
    '  for name in "${names[@]}"; do',
    '    path=${relative:+$relative/}$name; entry=/proc/self/fd/$into/$name',
    '    if [ -z "$relative" ] && [ "$name" = "$skip_name" ]; then continue; fi',
    '    if is_kept "$path" || { is_on_the_way "$path" && [ -d "$entry" ] && [ ! -L "$entry" ]; }; then continue; fi',
    '    mv -T -- "$entry" "/proc/self/fd/$beside/$name"',
    '  done',
    '  collect names find "/proc/self/fd/$from/" -mindepth 1 -maxdepth 1 -printf "%f\\0"',
    '  for name in "${names[@]}"; do',
    '    path=${relative:+$relative/}$name; entry=/proc/self/fd/$into/$name; staged=/proc/self/fd/$from/$name',
    '    if [ ! -e "$entry" ] && [ ! -L "$entry" ]; then mv -T -- "$staged" "$entry"; continue; fi',
    '    if is_kept "$path"; then printf "kept\\0%s\\0" "$path"; continue; fi',
    '    if [ -d "$staged" ] && [ ! -L "$staged" ] && enter inner_into "$into" "$name"; then',
    '      exec {inner_from}< "$staged"',
    '      [ "$(stat -L -c %d -- "/proc/self/fd/$inner_into")" = "$device" ] || selfhost_refuse merge mount',
    '      mkdir -- "/proc/self/fd/$beside/$name"',
    '      exec {inner_beside}< "/proc/self/fd/$beside/$name"',
    '      merge "$inner_into" "$inner_from" "$inner_beside" "$path"',
    '      adopt "$inner_from" "$inner_into"',
    '      exec {inner_into}<&- {inner_from}<&- {inner_beside}<&-',
    '      continue',
    '    fi',
    '    printf "conflict\\0%s\\0" "$path"',
    '  done',
    '  touch -d "$when" -- "/proc/self/fd/$beside"',
    '}',
    'merge "$target" "$source" "$aside" ""',
    'adopt "$source" "$target"'
].join('\n');
/** Renames each of `names` in `target` into `aside` (when present), then the same name from `source` in (when present). */
const ENTRIES_SCRIPT = [
    'for name in "${names[@]}"; do',
    '  entry=/proc/self/fd/$target/$name',
    '  if [ -e "$entry" ] || [ -L "$entry" ]; then mv -T -- "$entry" "/proc/self/fd/$aside/$name"; fi',
    'done',
    'for name in "${names[@]}"; do',
    '  staged=/proc/self/fd/$source/$name',
    '  if [ -e "$staged" ] || [ -L "$staged" ]; then mv -T -- "$staged" "/proc/self/fd/$target/$name"; fi',
    'done'
].join('\n');
/**
 * Shell lines that swap `source` (a directory below `from`) into `dir`, moving what it replaces to `aside` below
 * `from`. `skipName` is a shell word: the staging directory's own name, which a tree swap leaves where it is.
 */
function swapLines(undo, skipName, source, aside) {
    // A part without the entry has nothing below new/ there: the entry is then only moved aside.
    const descriptors = [`mkdir -p -- "/proc/self/fd/$from"/${source}`, `exec {source}< "/proc/self/fd/$from"/${source}`, `exec {aside}< "/proc/self/fd/$from"/${aside}`, 'target=$dir'];
    if (undo.kind === 'entries')
        return [...descriptors, `names=(${undo.names.map(shell/* quote */.hD).join(' ')})`, ENTRIES_SCRIPT];
    return [...descriptors, `keep=(${[...ALWAYS_KEPT, ...undo.keep].map(shell/* quote */.hD).join(' ')})`, `skip_name=${skipName}`, MERGE_SCRIPT];
}
/** What a swap script prints on stderr as it goes, so a failed one tells how far it got. */
const STAGING_MARK = 'selfhost-backup-staging';
const BEGAN_MARK = 'selfhost-backup-swap-began';
const ENDED_MARK = 'selfhost-backup-swap-ended';
const KEPT_MARK = 'selfhost-backup-swap-kept';
const COPIED_MARK = 'selfhost-backup-copied';
const MARK_LINE = /^selfhost-backup-(?:staging|swap-began|swap-ended|swap-kept|copied)\b.*\n?/gm;
const STAGING_LINE = new RegExp(`^${STAGING_MARK} (\\.selfhost-restore\\.[A-Za-z0-9]+) (\\d+:\\d+)$`);
const ENDED_LINE = new RegExp(`^${ENDED_MARK} (\\d+)$`);
/**
 * Makes the staging directory beside the data (0700, `old` inside) and moves the extracted tree in as its `new`:
 * a rename when it is on the same filesystem (the restore's staging directory sits beside the data root), else
 * mv's copy, which keeps owners, modes, times, links and hard links, and which the log names.
 */
function stagingLines(tree) {
    return [
        ...host_files/* OPEN_NEW_STAGING */.QI,
        'mkdir -- "/proc/self/fd/$from/old"',
        `if [ "$(stat -c %d -- ${(0,shell/* quote */.hD)(tree)})" != "$(stat -L -c %d -- "/proc/self/fd/$from")" ]; then printf '${COPIED_MARK}\\n' >&2; fi`,
        `mv -T -- ${(0,shell/* quote */.hD)(tree)} "/proc/self/fd/$from/new" || { rm -rf -- "/proc/self/fd/$dir/$staging_name"; exit 1; }`
    ];
}
/**
 * Renames the staging directory (`$staging_name`, proven by `$staging_identity`) to its replaced name in `dir`
 * and writes its record there; a complete swap's `new` goes (what stayed there conflicted with a kept path and
 * is the backup's, not the host's). Idempotent: a keep whose answer was lost finds the rename already made.
 */
function keepLines(name, part, undo, completeTest) {
    const record = (complete) => (0,shell/* quote */.hD)(JSON.stringify({ part, complete, ...undo }));
    return [
        `from_entry="/proc/self/fd/$dir/$staging_name"; to_entry="/proc/self/fd/$dir"/${(0,shell/* quote */.hD)(name)}`,
        'if [ "$(stat -c %d:%i -- "$to_entry" 2>/dev/null)" != "$staging_identity" ]; then',
        '  [ "$(stat -c %d:%i -- "$from_entry")" = "$staging_identity" ] || selfhost_refuse staging replaced',
        '  mv -T --no-clobber -- "$from_entry" "$to_entry"',
        '  [ "$(stat -c %d:%i -- "$to_entry")" = "$staging_identity" ] || selfhost_refuse staging replaced',
        'fi',
        `if ${completeTest}; then rm -rf -- "$to_entry/new"; record=${record(true)}; else record=${record(false)}; fi`,
        '(umask 077 && printf \'%s\\n\' "$record" > "$to_entry/swap")'
    ];
}
/** Reads the marks of a swap script's stderr; a staging name or identity that is not of the expected shape is not believed. */
function swapMarks(stderr) {
    const lines = stderr.split('\n');
    const staging = lines.map(line => STAGING_LINE.exec(line)).find(Boolean);
    const ended = lines.map(line => ENDED_LINE.exec(line)).find(Boolean);
    return {
        ...(staging ? { staging: { name: staging[1], identity: staging[2] } } : {}),
        copied: lines.includes(COPIED_MARK),
        began: lines.includes(BEGAN_MARK),
        ...(ended ? { ended: Number(ended[1]) } : {}),
        kept: lines.includes(KEPT_MARK)
    };
}
/** The failure as the user sees it: the marks are for this code. */
function withoutMarks(error) {
    return error instanceof errors/* HostCommandError */.MK ? error.withStderr(error.stderr.replace(MARK_LINE, '')) : error;
}
/**
 * Undoes an entries swap that stopped part-way. It moved every present entry aside before it moved any
 * staged one in, so a name kept in `old` was replaced: what stands there now is the restore's and goes,
 * and the kept entry comes back. A name not in `old` is left alone: it may still be the live one.
 */
const PART_WAY_ENTRIES_UNDO = [
    'for name in "${names[@]}"; do',
    '  kept=/proc/self/fd/$from/old/$name; entry=/proc/self/fd/$dir/$name',
    '  if [ -e "$kept" ] || [ -L "$kept" ]; then',
    '    if [ -e "$entry" ] || [ -L "$entry" ]; then mv -T -- "$entry" "/proc/self/fd/$from/undone/$name"; fi',
    '    mv -T -- "$kept" "$entry"',
    '  fi',
    'done'
].join('\n');
/** The kind/path records a host script printed after its mark (a login shell's rc files may print first). */
function records(stdout) {
    const mark = stdout.indexOf('selfhost-backup-records\0');
    const fields = mark < 0 ? [] : stdout.slice(mark).split('\0').slice(1, -1);
    return Array.from({ length: Math.floor(fields.length / 2) }, (_, index) => [fields[2 * index], fields[2 * index + 1]]);
}
/**
 * One swap and its keep, after the staging lines set $staging_name and $staging_identity and opened the staging
 * directory as $from: `before`, then the swap in a subshell, so whatever it does, even stopping part-way, the
 * staging directory is renamed to `name` before the script ends, and its record says how far the swap got.
 */
function swapAndKeepLines(swap) {
    return [
        `printf '${STAGING_MARK} %s %s\\n' "$staging_name" "$staging_identity" >&2`,
        ...swap.before,
        `printf '${BEGAN_MARK}\\n' >&2`,
        // Not `( … ) || swapped=$?`: bash ignores errexit inside a subshell that is the left side of ||.
        'set +e',
        ['(', 'set -e', ...swapLines(swap.undo, '"$staging_name"', swap.stagedBelow, 'old'), ')'].join('\n'),
        'swapped=$?',
        'set -e',
        `printf '${ENDED_MARK} %s\\n' "$swapped" >&2`,
        ...keepLines(swap.name, swap.part, swap.undo, '[ "$swapped" -eq 0 ]'),
        `printf '${KEPT_MARK}\\n' >&2`,
        'exit "$swapped"'
    ];
}

;// CONCATENATED MODULE: ./src/recipes/host-swap.ts






/**
 * A restore swaps the live data out by rename: what it replaces moves into the staging directory's `old`
 * (same filesystem, no copy), and that directory is then renamed to `.selfhost-backup-replaced-<stamp>-<n>`
 * beside what it replaced. It is the safety copy of the files: a failed restore moves it back, a successful
 * one keeps it (or removes it with safety-copy: false), and `selfhost-backup put-back` moves it back later.
 */
const REPLACED_PREFIX = '.selfhost-backup-replaced-';
const SWAP_REASONS = {
    'merge mount': 'a directory on the way to a kept path is on another filesystem than the data, so the restore cannot rename into it',
    ...host_files/* STAGING_REASONS */.gr
};
/** The directories a swap script pins: the data's, and a staging directory made earlier. */
function pinnedFor(request) {
    return 'staging' in request ? { dir: request.dir, from: request.staging } : { dir: request.dir };
}
/** Shell variables the swap and keep lines read: the staging directory's own name and identity, once known. */
function stagingVariables(own) {
    return `staging_name=${(0,shell/* quote */.hD)(own.name)}; staging_identity=${(0,shell/* quote */.hD)(own.identity)}`;
}
/**
 * The swaps of one restore, in order. Each staging directory is renamed once its swap ran (or stopped
 * part-way), so nothing it replaced is ever removed by accident; the pipeline then keeps, discards or
 * rolls back all of them.
 */
class SwapJournal {
    host;
    stamp;
    logger;
    swaps = [];
    /** Databases swapped by RENAME TABLE: their old tables are kept in a database of their own. */
    databases = [];
    constructor(host, 
    /** Unique to this restore: names its replaced directories. */
    stamp, logger) {
        this.host = host;
        this.stamp = stamp;
        this.logger = logger;
    }
    /**
     * Runs the swap of `staging` (its `new`, or for entries `new/<from>`) into `dir` and keeps what it replaced,
     * in one script on the host: with `tree`, the staging directory is first made beside the data and the tree
     * the fetch extracted and checked is moved into it; `before` lines run ahead of the swap (the staging
     * directory open as $from). The swap runs in a subshell, so whatever it does, even stopping part-way, the
     * staging directory is renamed to its replaced name before the script ends, and the record says how far it got.
     */
    async swapIn(request) {
        const { dir, part, undo, description } = request;
        const stagedBelow = (request.stagedBelow ?? 'new').split('/').map(shell/* quote */.hD).join('/');
        const name = `${REPLACED_PREFIX}${this.stamp}-${this.swaps.length + 1}`;
        const lines = [
            ...('staging' in request ? [stagingVariables((0,host_files/* ownStep */.nN)(request.staging))] : stagingLines(request.tree)),
            ...swapAndKeepLines({ undo, stagedBelow, before: request.before ?? [], name, part })
        ];
        const result = await this.host.run((0,shell/* script */.K$)(...(0,host_files/* pinnedLines */.gK)(pinnedFor(request)), ...lines), { description }).catch((error) => this.afterFailedSwap(error, request, name));
        const marks = swapMarks(result.stderr);
        const own = 'staging' in request ? (0,host_files/* ownStep */.nN)(request.staging) : marks.staging;
        // Exit 0 comes only after the keep; a staging name that did not come back cannot be recorded.
        if (!own)
            throw new errors/* HostCommandError */.MK(description, 0, `unexpected answer ${JSON.stringify(result.stderr.slice(-300))}`);
        if (marks.copied)
            this.logger.info(`${part}: copied beside ${dir.path}, because the restore's staging directory is on another filesystem`);
        for (const [kind, path] of records(result.stdout)) {
            const what = kind === 'kept' ? "is kept on this host, so the backup's copy was not restored" : "holds kept paths on this host, so the backup's non-directory there was not restored";
            this.logger.warning(`${JSON.stringify(external_node_path_.posix.join(dir.path, path))} ${what}.`);
        }
        this.record({ part, dir, name, identity: own.identity, undo, complete: true });
    }
    /**
     * A swap script that failed: what it printed on stderr says how far it got. Kept: recorded as it stopped.
     * The swap ended or began but the keep did not happen (or its answer was lost): the keep is tried again on
     * its own. It never began: the staging directory goes, nothing live changed. Always rethrows the failure.
     */
    async afterFailedSwap(error, request, name) {
        const marks = swapMarks(error instanceof errors/* HostCommandError */.MK ? error.stderr : '');
        const failure = (0,host_files/* explainRefusal */.GC)(withoutMarks(error), pinnedFor(request), { ...SWAP_REASONS, ...request.reasons });
        const own = 'staging' in request ? (0,host_files/* ownStep */.nN)(request.staging) : marks.staging;
        if (!own)
            throw failure;
        const swap = { part: request.part, dir: request.dir, name, identity: own.identity, undo: request.undo, complete: marks.ended === 0 };
        if (marks.kept) {
            this.record(swap);
            throw failure;
        }
        if (!marks.began) {
            await (0,host_files/* removeStaging */.O7)(this.host, (0,host_files/* pinnedChild */.pf)(request.dir, own), this.logger);
            throw failure;
        }
        // Kept whatever happened: a swap that stopped part-way holds live entries in its `old`.
        try {
            await (0,host_files/* runPinned */.e8)(this.host, { dir: request.dir }, [stagingVariables(own), ...keepLines(name, request.part, request.undo, swap.complete ? 'true' : 'false')], {
                description: `Keeping what the restore of ${request.part} replaced in ${external_node_path_.posix.join(request.dir.path, name)}`,
                reasons: SWAP_REASONS
            });
            this.record(swap);
        }
        catch (keepError) {
            this.logger.warning(`What the restore of ${request.part} replaced stays in ${external_node_path_.posix.join(request.dir.path, own.name)}/old: ${keepError.message}`);
        }
        throw failure;
    }
    record(swap) {
        const { part, dir, name, identity, undo, complete } = swap;
        this.swaps.push({ part, dir, replaced: (0,host_files/* pinnedChild */.pf)(dir, { name, identity }), undo, complete });
    }
    /** Where the replaced data is kept, one path per swap. */
    places() {
        return this.swaps.map(swap => swap.replaced.path);
    }
    /** The databases that keep the tables the database swaps replaced, one per swap. */
    keptDatabases() {
        return this.databases.map(database => database.kept);
    }
    /** Records a database swap that happened, so a failure puts it back too. */
    keepDatabase(kept) {
        this.databases.push(kept);
    }
    /** Whether anything live changed: a file swap ran (even part-way) or a database was swapped. */
    get changedAnything() {
        return this.swaps.length + this.databases.length > 0;
    }
    /** Puts every complete swap back, newest first; a part-way one is left for put-back and named. Throws on the first failure. */
    async rollBack() {
        const report = [];
        for (const swap of [...this.swaps].reverse()) {
            if (!swap.complete && swap.undo.kind === 'tree') {
                report.push(`${swap.part}: the swap into ${swap.dir.path} stopped part-way; what it replaced is in ${swap.replaced.path}/old`);
                continue;
            }
            await putBack(this.host, swap, this.logger);
            report.push(`${swap.part}: ${swap.dir.path} is as it was`);
        }
        for (const database of [...this.databases].reverse()) {
            await database.putBack();
            report.push(`${database.part}: database ${database.live} is as it was`);
        }
        return report;
    }
    /** safety-copy: false: the replaced data goes once the restore succeeded. */
    async discard() {
        for (const swap of this.swaps)
            await (0,host_files/* removeStaging */.O7)(this.host, swap.replaced, this.logger);
        for (const database of this.databases)
            await database.drop();
    }
}
/** Swaps a kept `old` back into its directory; what the restore had put there goes. A tree swap must have completed. */
async function putBack(host, swap, logger) {
    const skipName = (0,host_files/* ownStep */.nN)(swap.replaced).name;
    const undo = swap.complete || swap.undo.kind === 'tree' ? swapLines(swap.undo, (0,shell/* quote */.hD)(skipName), 'old', 'undone') : [`names=(${swap.undo.names.map(shell/* quote */.hD).join(' ')})`, PART_WAY_ENTRIES_UNDO];
    await (0,host_files/* runPinned */.e8)(host, { dir: swap.dir, from: swap.replaced }, ['rm -rf -- "/proc/self/fd/$from/undone"', 'mkdir -- "/proc/self/fd/$from/undone"', ...undo], {
        description: `Putting back what the restore of ${swap.part} replaced in ${swap.dir.path}`,
        reasons: SWAP_REASONS
    });
    await (0,host_files/* removeStaging */.O7)(host, swap.replaced, logger);
}
/**
 * Makes the pinned directory `dir` equal to a tarball part (files the backup did not have move aside), except
 * the `keep` paths (globs relative to dir) and the real directories on the way to them. The part is extracted
 * and checked beside the data first; only then are the live entries swapped out and the staged ones in.
 */
async function replaceTree(host, swaps, target, description, logger) {
    const { dir, part, keep } = target;
    await swapPartIn(host, swaps, { dir, part, undo: { kind: 'tree', keep }, description: `Moving the restored files into ${dir.path}` }, description, logger);
}
/**
 * Replaces the directory `name` inside the pinned `parent` with the one a tarball part holds at `relative`
 * (relative to the archive's root), or moves it aside when the part has none.
 */
async function replaceDirectory(host, swaps, target, logger) {
    const { parent, name, relative, part } = target;
    const stagedBelow = external_node_path_.posix.join('new', external_node_path_.posix.dirname(relative));
    await swapPartIn(host, swaps, { dir: parent, part, undo: { kind: 'entries', names: [name] }, description: `Moving ${relative} into place`, stagedBelow }, `Restoring ${relative}`, logger);
}
/**
 * A tarball part into `dir`: a tree the fetch already extracted and checked moves beside the data and in by one
 * script ("data: moved beside the data and swapped in 0.1 s"); any other part is extracted and checked in a
 * staging directory beside the data first ("extracted and checked in 9.1 s, swapped in 0.1 s"). The times go
 * to the restore's Stages line and the bench.
 */
async function swapPartIn(host, swaps, swap, extraction, logger) {
    const { part, ...request } = swap;
    const began = Date.now();
    if (part.extracted) {
        await swaps.swapIn({ ...request, part: part.record.name, tree: part.path });
        logger.info(`${part.record.name}: moved beside the data and swapped in ${(0,log/* formatSeconds */.Xo)(Date.now() - began)}`);
        return;
    }
    const staging = await (0,host_files/* stagePart */.or)(host, swap.dir, part, extraction, logger);
    const extracted = Date.now();
    await swaps.swapIn({ ...request, part: part.record.name, staging });
    logger.info(`${part.record.name}: extracted and checked in ${(0,log/* formatSeconds */.Xo)(extracted - began)}, swapped in ${(0,log/* formatSeconds */.Xo)(Date.now() - extracted)}`);
}


/***/ }),

/***/ 4817:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $r: () => (/* binding */ fixedParts),
/* harmony export */   BE: () => (/* binding */ relativePathProblem),
/* harmony export */   I6: () => (/* binding */ partKindProblems),
/* harmony export */   SI: () => (/* binding */ partInput),
/* harmony export */   gy: () => (/* binding */ recordedPathProblems)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _kernel_progress_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(4174);


/** Parts the recipe does not make, or of another kind than it makes them: `kindOf` is the recipe's own list. */
function partKindProblems(manifest, kindOf, title) {
    return manifest.parts.flatMap(part => {
        const expected = typeof part.name === 'string' ? kindOf(part.name) : undefined;
        if (expected === undefined)
            return [`part ${JSON.stringify(part.name)} is not one a ${title} backup has`];
        return part.kind === expected ? [] : [`part ${part.name} is of kind ${JSON.stringify(part.kind)}; a ${title} backup's ${part.name} is ${expected}`];
    });
}
/** A recipe's fixed part names and their kinds as a lookup; a name like "constructor" is not one of them. */
function fixedParts(table) {
    return name => (Object.hasOwn(table, name) ? table[name] : undefined);
}
/** Why `path` cannot name something inside an app's root; null when it can. Also the rule for paths a manifest records. */
function relativePathProblem(path) {
    if (path.startsWith('/') || node_path__WEBPACK_IMPORTED_MODULE_0__.posix.normalize(path).startsWith('..'))
        return 'must be a path relative to the application\'s root, without ".."';
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    if (/[\u0000-\u001f\u007f]/.test(path))
        return 'must not contain control characters';
    return null;
}
/** Problems with a list of relative paths a manifest recorded in its options, which a restore keeps on the host. */
function recordedPathProblems(option, value) {
    if (!Array.isArray(value) || value.some(path => typeof path !== 'string'))
        return [`options.${option} is not a list of paths`];
    return value.flatMap(path => {
        const problem = relativePathProblem(path);
        return problem ? [`options.${option}: ${JSON.stringify(path)} ${problem}`] : [];
    });
}
/** What a host command reads a verified part from: the staged file on the host, or the runner's file streamed with progress. */
function partInput(part, what, logger) {
    if (part.extracted)
        throw new Error(`${part.record.name} was extracted while it was staged; it has no file to read`);
    return part.on === 'host' ? { hostFile: part.path } : (0,_kernel_progress_js__WEBPACK_IMPORTED_MODULE_1__/* .readWithProgress */ .i)(part.path, what, logger);
}


/***/ }),

/***/ 8465:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  APP_CHOICES: () => (/* binding */ APP_CHOICES),
  RECIPES: () => (/* binding */ RECIPES),
  chooseRecipes: () => (/* binding */ chooseRecipes),
  detectRecipe: () => (/* binding */ detectRecipe),
  recipeById: () => (/* binding */ recipeById)
});

// EXTERNAL MODULE: ./src/kernel/errors.ts
var errors = __webpack_require__(2386);
// EXTERNAL MODULE: ./src/kernel/log.ts
var log = __webpack_require__(8807);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/kernel/concurrency.ts
var concurrency = __webpack_require__(490);
// EXTERNAL MODULE: ./src/kernel/input-reader.ts
var input_reader = __webpack_require__(473);
// EXTERNAL MODULE: ./src/kernel/shell.ts
var shell = __webpack_require__(151);
// EXTERNAL MODULE: ./src/sources/compression.ts
var sources_compression = __webpack_require__(2328);
// EXTERNAL MODULE: ./src/sources/tar.ts
var tar = __webpack_require__(9401);
// EXTERNAL MODULE: ./src/recipes/host-files.ts
var host_files = __webpack_require__(4899);
// EXTERNAL MODULE: ./src/recipes/host-swap.ts + 1 modules
var host_swap = __webpack_require__(4466);
// EXTERNAL MODULE: ./src/recipes/recipe.ts
var recipe = __webpack_require__(4817);
;// CONCATENATED MODULE: ./src/recipes/seatable-layout.ts


/** The two layouts in use: the seed doc's older install and SeaTable's current (2024+) docs. */
const LAYOUTS = {
    old: {
        root: '/opt/seatable/seatable-data/seatable',
        composeDir: '',
        dbContainer: 'seatable-mysql',
        seatableContainer: 'seatable',
        dataExcludes: ['ccnet', 'logs', 'db-data']
    },
    current: {
        root: '/opt/seatable-server/seatable',
        composeDir: '/opt/seatable-compose',
        dbContainer: 'mariadb',
        seatableContainer: 'seatable-server',
        dataExcludes: ['ccnet', 'logs', 'db-data', 'pids', 'scripts']
    }
};
/** The dtable-db backup script's path inside the SeaTable container (the same on both layouts). */
const SEATABLE_SCRIPT = '/opt/seatable/scripts/seatable.sh';
/** Which of the documented paths exist and which containers run, in one round trip. */
async function probeHost(host, extraPaths) {
    const paths = [LAYOUTS.old.root, LAYOUTS.current.root, LAYOUTS.current.composeDir, ...extraPaths].filter(Boolean);
    const text = (0,shell/* script */.K$)(...paths.map(path => `if [ -e ${(0,shell/* quote */.hD)(path)} ]; then printf 'path\\t%s\\n' ${(0,shell/* quote */.hD)(path)}; fi`), 'if command -v docker >/dev/null 2>&1; then echo docker; docker ps --format "{{.Names}}" 2>/dev/null | sed "s/^/container\\t/" || true; fi');
    const result = await host.run(text, { description: 'Looking for SeaTable' });
    const facts = { paths: new Set(), containers: new Set(), hasDocker: false };
    for (const line of result.stdout.split('\n')) {
        const [kind, value] = line.split('\t');
        if (kind === 'path')
            facts.paths.add(value);
        else if (kind === 'container')
            facts.containers.add(value);
        else if (kind === 'docker')
            facts.hasDocker = true;
    }
    return facts;
}
/** Evidence for each layout; exactly one must have any unless the user chose. */
function layoutEvidence(facts) {
    const evidence = { old: [], current: [] };
    for (const name of ['old', 'current']) {
        const layout = LAYOUTS[name];
        for (const path of [layout.root, layout.composeDir])
            if (path && facts.paths.has(path))
                evidence[name].push(path);
        for (const container of [layout.dbContainer, layout.seatableContainer])
            if (facts.containers.has(container))
                evidence[name].push(`container ${container}`);
    }
    return evidence;
}
function chooseLayout(wanted, facts) {
    if (wanted !== 'auto')
        return { layout: wanted, reason: 'set by seatable-layout' };
    const evidence = layoutEvidence(facts);
    const found = ['current', 'old'].filter(name => evidence[name].length > 0);
    if (found.length === 1)
        return { layout: found[0], reason: evidence[found[0]].join(', ') };
    if (found.length === 0) {
        throw new errors/* PreflightError */.wG(['no SeaTable installation was found at the documented paths or containers'], 'set seatable-root (and seatable-layout: old or current) to where SeaTable keeps its data.');
    }
    throw new errors/* InputError */.dz('seatable-layout', `both layouts were found (old: ${evidence.old.join(', ')}; current: ${evidence.current.join(', ')}).`, 'set seatable-layout to old or current.');
}

// EXTERNAL MODULE: ./src/sources/mysql.ts
var mysql = __webpack_require__(504);
// EXTERNAL MODULE: ./src/sources/mysql-defaults.ts
var mysql_defaults = __webpack_require__(87);
;// CONCATENATED MODULE: ./src/sources/mysql-objects.ts


/** Which column of each SHOW CREATE row holds what (after the name). */
const SHOW_COLUMNS = {
    trigger: { sqlMode: 1, statement: 2, client: 3, connection: 4 },
    procedure: { sqlMode: 1, statement: 2, client: 3, connection: 4 },
    function: { sqlMode: 1, statement: 2, client: 3, connection: 4 },
    event: { sqlMode: 1, timeZone: 2, statement: 3, client: 4, connection: 5 },
    view: { statement: 1, client: 2, connection: 3 }
};
/** Every object of `schema`, in an order that creates them again: routines, views (those used by others first), triggers in firing order, events. */
async function readObjects(host, access, schema) {
    const literal = (0,mysql/* mysqlString */.Oe)(schema);
    const listing = await runEscaped(host, access, [
        `SELECT LOWER(routine_type), HEX(routine_name) FROM information_schema.routines WHERE routine_schema = ${literal} ORDER BY routine_type, routine_name;`,
        `SELECT 'view', HEX(table_name) FROM information_schema.views WHERE table_schema = ${literal} ORDER BY table_name;`,
        `SELECT 'trigger', HEX(trigger_name) FROM information_schema.triggers WHERE trigger_schema = ${literal} ORDER BY event_object_table, action_timing, event_manipulation, action_order;`,
        `SELECT 'event', HEX(event_name) FROM information_schema.events WHERE event_schema = ${literal} ORDER BY event_name;`
    ].join('\n'));
    const named = listing.filter(row => row[0] in SHOW_COLUMNS).map(([kind, hex]) => ({ kind: kind, name: Buffer.from(hex, 'hex').toString('utf8') }));
    if (named.length === 0)
        return [];
    // In the database itself: SHOW CREATE VIEW then names its tables without the database.
    const rows = await runEscaped(host, access, named.map(object => `SHOW CREATE ${object.kind.toUpperCase()} ${(0,mysql/* mysqlIdentifier */.c4)(object.name)};`).join('\n'), schema);
    if (rows.length !== named.length)
        throw new errors/* VerificationError */.mk(`Reading the definitions of ${schema}'s views, triggers, routines and events gave ${rows.length} answers for ${named.length} objects.`);
    const objects = named.map(({ kind, name }, index) => {
        const row = rows[index];
        const columns = SHOW_COLUMNS[kind];
        if (row[0] !== name || row[columns.statement] === undefined || row[columns.statement] === 'NULL')
            throw new errors/* VerificationError */.mk(`The definition of ${kind} ${name} in ${schema} could not be read (the user may lack the privilege to see it).`);
        return {
            kind,
            name,
            statement: row[columns.statement],
            sqlMode: columns.sqlMode === undefined ? '' : row[columns.sqlMode],
            characterSetClient: row[columns.client],
            collationConnection: row[columns.connection],
            ...(columns.timeZone === undefined ? {} : { timeZone: row[columns.timeZone] })
        };
    });
    return orderViews(objects);
}
/** Views that use other views come after them: SHOW CREATE VIEW quotes every name it uses. */
function orderViews(objects) {
    const views = objects.filter(object => object.kind === 'view');
    const ordered = [];
    const placing = new Set();
    const place = (view) => {
        if (ordered.includes(view) || placing.has(view.name))
            return;
        placing.add(view.name);
        for (const other of views)
            if (other !== view && view.statement.includes((0,mysql/* mysqlIdentifier */.c4)(other.name)))
                place(other);
        ordered.push(view);
    };
    views.forEach(place);
    const routines = objects.filter(object => object.kind === 'procedure' || object.kind === 'function');
    return [...routines, ...ordered, ...objects.filter(object => object.kind === 'trigger'), ...objects.filter(object => object.kind === 'event')];
}
/** Ends each object's statement for the client (which takes at most 16 characters): no definition may hold it (checked before anything changes). */
const DELIMITER = '$$sb-replay$$';
/** Why these objects cannot be re-created through the client, or undefined. */
function objectsProblem(objects) {
    const bad = objects.find(object => object.statement.includes(DELIMITER) || /[\r\n]/.test(object.sqlMode + object.characterSetClient + object.collationConnection + (object.timeZone ?? '')));
    return bad ? `the definition of ${bad.kind} ${bad.name} holds text that cannot be replayed through the client` : undefined;
}
/** SQL that drops each object from `schema` (triggers too: a table with triggers cannot move to another database). */
function dropObjects(schema, objects) {
    const kinds = { procedure: 'PROCEDURE', function: 'FUNCTION', view: 'VIEW', trigger: 'TRIGGER', event: 'EVENT' };
    return objects.map(object => `DROP ${kinds[object.kind]} IF EXISTS ${(0,mysql/* mysqlIdentifier */.c4)(schema)}.${(0,mysql/* mysqlIdentifier */.c4)(object.name)};`);
}
/**
 * Client input that creates each object in `schema` under its own session settings, as a dump does: the
 * database's default collation at that moment becomes the object's "Database Collation", so the caller
 * sets the database's defaults first. Ends back in no particular database.
 */
function createObjects(schema, objects) {
    if (objects.length === 0)
        return [];
    const lines = [`USE ${(0,mysql/* mysqlIdentifier */.c4)(schema)};`];
    for (const object of objects) {
        lines.push(`SET SESSION sql_mode = ${(0,mysql/* mysqlString */.Oe)(object.sqlMode)}, character_set_client = ${(0,mysql/* mysqlString */.Oe)(object.characterSetClient)}, collation_connection = ${(0,mysql/* mysqlString */.Oe)(object.collationConnection)}${object.timeZone === undefined ? '' : `, time_zone = ${(0,mysql/* mysqlString */.Oe)(object.timeZone)}`};`, `DELIMITER ${DELIMITER}`, `${object.statement}${DELIMITER}`, 'DELIMITER ;');
    }
    // Back to the client's own settings for whatever follows in the same session.
    lines.push("SET SESSION sql_mode = DEFAULT, character_set_client = 'utf8mb4', collation_connection = 'utf8mb4_general_ci', time_zone = DEFAULT;");
    return lines;
}
/** The columns of the table a swap keeps its record in: the replaced database's objects, to re-create them on put-back. */
const RECORD_COLUMNS = 'position INT NOT NULL, kind VARCHAR(16) NOT NULL, name VARCHAR(64) NOT NULL, sql_mode TEXT NOT NULL, character_set_client VARCHAR(64) NOT NULL, collation_connection VARCHAR(64) NOT NULL, time_zone VARCHAR(64) NULL, statement LONGTEXT NOT NULL';
/** INSERTs that write `objects` into the record table `table` (schema-qualified), every value as hex: nothing of it is parsed as SQL. */
function recordObjects(table, objects) {
    const hex = (value) => (value === '' ? "''" : `CONVERT(X'${Buffer.from(value, 'utf8').toString('hex')}' USING utf8mb4)`);
    return objects.map((object, position) => `INSERT INTO ${table} VALUES (${position}, ${hex(object.kind)}, ${hex(object.name)}, ${hex(object.sqlMode)}, ${hex(object.characterSetClient)}, ${hex(object.collationConnection)}, ${object.timeZone === undefined ? 'NULL' : hex(object.timeZone)}, ${hex(object.statement)});`);
}
/** The objects a record table holds, in the order they were written. */
async function readRecordedObjects(host, access, table) {
    const rows = await runEscaped(host, access, `SELECT HEX(kind), HEX(name), HEX(sql_mode), HEX(character_set_client), HEX(collation_connection), IFNULL(HEX(time_zone), 'null'), HEX(statement) FROM ${table} ORDER BY position;`);
    return rows.map(row => {
        const [kind, name, sqlMode, client, connection, timeZone, statement] = row.map(value => (value === 'null' ? undefined : Buffer.from(value, 'hex').toString('utf8')));
        if (!kind || !(kind in SHOW_COLUMNS) || !name || statement === undefined)
            throw new errors/* VerificationError */.mk(`${table} holds a row that is not an object a swap recorded.`, 'put the objects back by hand from that table.');
        return {
            kind: kind,
            name,
            statement,
            sqlMode: sqlMode ?? '',
            characterSetClient: client ?? '',
            collationConnection: connection ?? '',
            ...(timeZone === undefined ? {} : { timeZone })
        };
    });
}
/**
 * Runs SQL and returns its rows, split into fields, the client's escapes undone: a multi-line definition
 * arrives on its row.
 */
async function runEscaped(host, access, sql, database) {
    const output = await (0,mysql/* runSql */.Wt)(host, access, sql, database, 'escaped');
    const unescape = (field) => field.replace(/\\(.)/g, (_, char) => ({ n: '\n', t: '\t', '0': '\0', r: '\r' })[char] ?? char);
    return output
        .split('\n')
        .filter(line => line !== '')
        .map(line => line.split('\t').map(unescape));
}

;// CONCATENATED MODULE: ./src/sources/mysql-swap.ts




/** MariaDB's limit on a database name. */
const NAME_LIMIT = 64;
const INCOMING = '__incoming_';
const KEPT = '__kept_';
/** A restore stamp's length: 20261206T031500Z-a1b2c3. */
const STAMP_LENGTH = 23;
/** The side databases' names for one restore stamp (`20261206T031500Z-a1b2c3`); undefined when they would be too long. */
function swappedDatabase(live, stamp) {
    // Underscores only: the kept database's name is one a user can type in DROP DATABASE without quoting it.
    const suffix = stamp.replace(/-/g, '_');
    const names = { live, incoming: `${live}${INCOMING}${suffix}`, kept: `${live}${KEPT}${suffix}` };
    return names.incoming.length <= NAME_LIMIT && names.kept.length <= NAME_LIMIT ? names : undefined;
}
/** The name of a side database `live` gets from any restore: an interrupted one's leftovers match it. */
function incomingOfAnyRestore(live) {
    const escaped = live.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`^${escaped}${INCOMING}\\d{8}T\\d{6}Z_[0-9a-f]{6}$`);
}
/**
 * Moves with the tables in the one RENAME: in `kept` it proves the swap happened (a swap is all or nothing,
 * so rollback and put-back act only on a `kept` that holds it), and its rows are the replaced database's
 * views, triggers, routines and events, which put-back re-creates.
 */
const SWAPPED_MARK = 'selfhost_backup_swapped';
/**
 * Why `live` cannot be restored by swap, or undefined when it can: the side databases' names must fit, and
 * the live database's views, triggers, routines and events must be ones the swap can re-create.
 */
async function swapObstacle(host, access, names, record) {
    if (!names)
        return `its name is too long for the side databases a swap needs (${NAME_LIMIT - INCOMING.length - STAMP_LENGTH} characters at most)`;
    // The record's name must be the swap's own: rows in a table of that name are re-created as SQL on put-back.
    if (Object.hasOwn(record.tables ?? {}, SWAPPED_MARK))
        return `the backup has a table named ${SWAPPED_MARK}, the name a swap keeps its record under`;
    const [[live], objects] = await Promise.all([readSchemas(host, access, [names.live]), readObjects(host, access, names.live)]);
    if (live.tables.includes(SWAPPED_MARK))
        return `the live database has a table named ${SWAPPED_MARK}, the name a swap keeps its record under`;
    const problem = objectsProblem(objects);
    return problem ? `in the live database, ${problem}` : undefined;
}
/**
 * Imports a dump into `incoming` (first dropping what an interrupted restore of the same database left) and
 * holds it against the manifest: row counts, objects and defaults; returns its objects' definitions. Nothing
 * live changes; on a failure the caller drops `incoming` (discardIncoming).
 */
async function importBeside(host, access, names, dump) {
    const leftovers = (await listDatabases(host, access)).filter(name => incomingOfAnyRestore(names.live).test(name) && name !== names.incoming);
    if (leftovers.length > 0)
        await (0,mysql/* runSql */.Wt)(host, access, leftovers.map(name => `DROP DATABASE IF EXISTS ${(0,mysql/* mysqlIdentifier */.c4)(name)};`).join('\n'));
    const created = await (0,mysql/* importDatabase */.DD)(host, access, names.incoming, dump.compression, dump.input, dump.defaults);
    const problems = (0,mysql/* inventoryProblems */.lt)(dump.record, await (0,mysql/* inventoryDatabase */.OP)(host, access, names.incoming));
    if (problems.length > 0) {
        throw new errors/* VerificationError */.mk(`The dump of ${names.live}, imported beside the live database, does not match the manifest: ${problems.join('; ')}. The live database was not changed.`, 'restore another backup (set backup-id).');
    }
    // Read now, while the app runs: after the stop the swap re-creates them in `live` without asking again.
    return { ...created, leftovers, objects: await readObjects(host, access, names.incoming) };
}
/** Drops `incoming` if it is there: before the swap it holds the import, after it nothing. */
async function discardIncoming(host, access, names) {
    await (0,mysql/* runSql */.Wt)(host, access, `DROP DATABASE IF EXISTS ${(0,mysql/* mysqlIdentifier */.c4)(names.incoming)};`);
}
/**
 * After the stop: the live tables into `kept`, the imported ones into `live`, in one atomic RENAME TABLE;
 * `live` takes the backup's defaults and its objects (`objects`, read from `incoming` before the stop), and
 * `kept` the old defaults, with the old objects recorded in its mark. The objects are dropped first (a
 * table with triggers cannot move to another database). A database the server did not have is created
 * first, so `kept` always exists and put-back finds it. When this fails the caller asks swapHappened,
 * which re-creates the live objects dropped before a RENAME that did not happen.
 */
async function swapTablesIn(host, access, names, swap) {
    const [[live, incoming], liveObjects] = await Promise.all([readSchemas(host, access, [names.live, names.incoming]), readObjects(host, access, names.live)]);
    // Asked again after the stop: the app may have changed its database since the swap was prepared.
    const problem = objectsProblem(liveObjects) ?? (live.tables.includes(SWAPPED_MARK) ? `the live database has a table named ${SWAPPED_MARK}` : undefined);
    if (problem)
        throw new errors/* VerificationError */.mk(`${names.live} cannot be swapped: ${problem}. Nothing was changed.`, 'remove or rename it, then restore again.');
    const mark = `${(0,mysql/* mysqlIdentifier */.c4)(names.incoming)}.${SWAPPED_MARK}`;
    const incomingTriggers = swap.objects.filter(object => object.kind === 'trigger');
    const statements = [
        ...(live.defaults ? [] : [`CREATE DATABASE ${(0,mysql/* mysqlIdentifier */.c4)(names.live)} ${defaultsClause(swap.defaults)};`]),
        `CREATE DATABASE ${(0,mysql/* mysqlIdentifier */.c4)(names.kept)} ${defaultsClause(live.defaults ?? swap.defaults)};`,
        `CREATE TABLE ${mark} (${RECORD_COLUMNS});`,
        ...recordObjects(mark, liveObjects),
        // All of them, not only the triggers: a live view may have the name of a table the backup brings.
        ...dropObjects(names.live, liveObjects),
        ...dropObjects(names.incoming, incomingTriggers),
        renameStatement([
            ...live.tables.map(table => [names.live, names.kept, table]),
            ...incoming.tables.map(table => [names.incoming, names.live, table]),
            [names.incoming, names.kept, SWAPPED_MARK]
        ]),
        `ALTER DATABASE ${(0,mysql/* mysqlIdentifier */.c4)(names.live)} ${defaultsClause(swap.defaults)};`,
        ...createObjects(names.live, swap.objects),
        `DROP DATABASE ${(0,mysql/* mysqlIdentifier */.c4)(names.incoming)};`
    ];
    await (0,mysql/* runSql */.Wt)(host, access, statements.join('\n'));
}
/**
 * After a failed swapTablesIn: whether its RENAME happened (the mark is in `kept`), so a rollback must undo
 * it. When it did not, the live tables never moved: the live objects the swap had dropped are re-created
 * from the mark (still in `incoming`), and a `kept` it created empty is dropped.
 */
async function swapHappened(host, access, names) {
    const [kept, incoming] = await readSchemas(host, access, [names.kept, names.incoming]);
    if (kept.tables.includes(SWAPPED_MARK))
        return true;
    if (incoming.tables.includes(SWAPPED_MARK)) {
        const recorded = await readRecordedObjects(host, access, `${(0,mysql/* mysqlIdentifier */.c4)(names.incoming)}.${SWAPPED_MARK}`);
        const present = new Set((await readObjects(host, access, names.live)).map(object => `${object.kind} ${object.name}`));
        const missing = recorded.filter(object => !present.has(`${object.kind} ${object.name}`));
        if (missing.length > 0)
            await (0,mysql/* runSql */.Wt)(host, access, createObjects(names.live, missing).join('\n'));
    }
    if (kept.defaults && kept.tables.length === 0)
        await (0,mysql/* runSql */.Wt)(host, access, `DROP DATABASE ${(0,mysql/* mysqlIdentifier */.c4)(names.kept)};`);
    return false;
}
/**
 * Undoes swapTablesIn (a rollback, or put-back later): what the restore put into `live` (tables and
 * objects) moves out and is dropped, the kept tables move back, and `live` takes its old defaults and
 * objects again; `kept` goes. Refused unless `kept` holds the mark of a swap that happened.
 */
async function swapTablesBack(host, access, names) {
    const [[live, kept], liveObjects] = await Promise.all([readSchemas(host, access, [names.live, names.kept]), readObjects(host, access, names.live)]);
    if (!kept.defaults || !kept.tables.includes(SWAPPED_MARK)) {
        throw new errors/* VerificationError */.mk(`${names.kept} is not the database a completed swap of ${names.live} kept (${kept.defaults ? `it lacks the table ${SWAPPED_MARK}` : 'no such database'}), so nothing was put back.`, 'check the safety-copy id; the databases were not changed.');
    }
    const keptObjects = await readRecordedObjects(host, access, `${(0,mysql/* mysqlIdentifier */.c4)(names.kept)}.${SWAPPED_MARK}`);
    const statements = [
        `DROP DATABASE IF EXISTS ${(0,mysql/* mysqlIdentifier */.c4)(names.incoming)};`,
        `CREATE DATABASE ${(0,mysql/* mysqlIdentifier */.c4)(names.incoming)};`,
        ...(live.defaults ? [] : [`CREATE DATABASE ${(0,mysql/* mysqlIdentifier */.c4)(names.live)};`]),
        ...dropObjects(names.live, liveObjects),
        renameStatement([
            ...live.tables.map(table => [names.live, names.incoming, table]),
            ...kept.tables.filter(table => table !== SWAPPED_MARK).map(table => [names.kept, names.live, table])
        ]),
        `ALTER DATABASE ${(0,mysql/* mysqlIdentifier */.c4)(names.live)} ${defaultsClause(kept.defaults)};`,
        ...createObjects(names.live, keptObjects),
        `DROP DATABASE ${(0,mysql/* mysqlIdentifier */.c4)(names.incoming)};`,
        `DROP DATABASE ${(0,mysql/* mysqlIdentifier */.c4)(names.kept)};`
    ];
    await (0,mysql/* runSql */.Wt)(host, access, statements.join('\n'));
}
/** safety-copy: false: the kept tables go once the restore succeeded. */
async function dropKept(host, access, names) {
    await (0,mysql/* runSql */.Wt)(host, access, `DROP DATABASE IF EXISTS ${(0,mysql/* mysqlIdentifier */.c4)(names.kept)};`);
}
/** The databases a restore with this stamp kept, among `databases` (for put-back). */
async function keptDatabases(host, access, databases, stamp) {
    const listed = await listDatabases(host, access);
    return databases.flatMap(live => {
        const names = swappedDatabase(live, stamp);
        return names && listed.includes(names.kept) ? [names] : [];
    });
}
function defaultsClause(defaults) {
    return `CHARACTER SET ${(0,mysql/* mysqlIdentifier */.c4)(defaults.characterSet)} COLLATE ${(0,mysql/* mysqlIdentifier */.c4)(defaults.collation)}`;
}
/** `RENAME TABLE a.t TO b.t, …`: nothing when there is nothing to move. */
function renameStatement(moves) {
    if (moves.length === 0)
        return '';
    return `RENAME TABLE ${moves.map(([from, to, table]) => `${(0,mysql/* mysqlIdentifier */.c4)(from)}.${(0,mysql/* mysqlIdentifier */.c4)(table)} TO ${(0,mysql/* mysqlIdentifier */.c4)(to)}.${(0,mysql/* mysqlIdentifier */.c4)(table)}`).join(', ')};`;
}
/** Every table (not view) of each schema, and its defaults (undefined: no such database), answered by position. */
async function readSchemas(host, access, schemas) {
    const answer = await (0,mysql/* runSql */.Wt)(host, access, schemas
        .flatMap((schema, index) => [
        // Names as hex: a table name may hold a tab or a line break.
        `SELECT 'table', ${index}, HEX(table_name) FROM information_schema.tables WHERE table_schema = ${(0,mysql/* mysqlString */.Oe)(schema)} AND table_type <> 'VIEW';`,
        `SELECT 'defaults', ${index}, HEX(default_character_set_name), HEX(default_collation_name) FROM information_schema.schemata WHERE schema_name = ${(0,mysql/* mysqlString */.Oe)(schema)};`
    ])
        .join('\n'));
    const found = schemas.map(() => ({ tables: [] }));
    for (const line of answer.split('\n').filter(Boolean)) {
        const [kind, position, value, more] = line.split('\t');
        const schema = found[Number(position)];
        if (!schema)
            continue;
        if (kind === 'table')
            schema.tables.push(Buffer.from(value, 'hex').toString('utf8'));
        else if (kind === 'defaults')
            schema.defaults = (0,mysql_defaults/* defaultsFromServer */.iq)(value, more, schemas[Number(position)]);
    }
    return found;
}
async function listDatabases(host, access) {
    const answer = await (0,mysql/* runSql */.Wt)(host, access, 'SELECT HEX(schema_name) FROM information_schema.schemata;');
    return answer
        .split('\n')
        .filter(Boolean)
        .map(hex => Buffer.from(hex, 'hex').toString('utf8'));
}

;// CONCATENATED MODULE: ./src/recipes/seatable-databases.ts










const LOG_TABLES = ['operation_log', 'delete_operation_log', 'session_log', 'activities'];
/** Connects once with the given password and lists the databases, turning a refusal into a clear input error. */
async function checkDatabaseAccess(host, access) {
    try {
        return (await (0,mysql/* runSql */.Wt)(host, access, 'SHOW DATABASES;')).split('\n').filter(Boolean);
    }
    catch (error) {
        if (error instanceof errors/* HostCommandError */.MK && /Access denied/i.test(error.stderr)) {
            throw new errors/* InputError */.dz('db-password', `the database server (${(0,mysql/* describeAccess */.Ag)(access)}) refused user ${access.user} with the given password.`, 'set db-password to the root password from the .env of the SeaTable compose directory (or db-user to another user with full rights).');
        }
        if (error instanceof errors/* HostCommandError */.MK && /No such container/i.test(error.stderr)) {
            throw new errors/* InputError */.dz('db-container', `the container ${(0,mysql/* describeAccess */.Ag)(access)} does not exist.`, 'set db-container to the name `docker ps` shows for the database.');
        }
        throw error;
    }
}
/**
 * Rows counted before and after the dump: where the two agree the count is exact; where a live server
 * wrote in between, the manifest keeps the range the dump's snapshot must fall in.
 */
function mergeCounts(before, after) {
    const ranges = {};
    for (const [table, rows] of Object.entries(before.tables)) {
        const later = after.tables[table] ?? rows;
        if (later !== rows)
            ranges[table] = [Math.min(rows, later), Math.max(rows, later)];
    }
    return { tables: before.tables, ranges };
}
/**
 * One dump per database, all at once (each in its own consistent snapshot), compressed on the host. When one
 * fails the others still run to their end before the failure is reported: the host lock must outlive them all.
 * Every database's inventory (row counts, objects, default character set and collation) is read first, in
 * one round trip, so the parts keep their order and each part's spec carries the defaults to the drill,
 * which creates its copy with them before the dump's first byte reaches it.
 */
function backupDatabases(host, options, sink, compression) {
    const started = (0,mysql/* inventoryDatabases */.Z9)(host, options.access, options.databases).then(inventories => {
        const missing = options.databases.filter((_database, index) => !inventories[index].defaults).map(database => `the database ${database} does not exist on the server`);
        if (missing.length > 0)
            throw new errors/* PreflightError */.wG(missing, 'check `databases`.');
        return options.databases.map((database, index) => backupDatabase(host, options, sink, compression, database, inventories[index]));
    });
    const snapshotsTaken = started.then(dumps => Promise.all(dumps.map(dump => dump.snapshot))).then(() => undefined);
    snapshotsTaken.catch(() => undefined); // the failure is reported through `done`; a waiter sees it too
    return { done: started.then(dumps => (0,concurrency/* allToTheEnd */.fz)(dumps.map(dump => dump.done))).then(() => undefined), snapshotsTaken };
}
function backupDatabase(host, options, sink, compression, database, before) {
    const defaults = before.defaults;
    let snapshotTaken = () => undefined;
    const snapshot = new Promise(resolve => (snapshotTaken = resolve));
    // The sink hands the spec to the drill as it is: its details are what the drill knows before the bytes flow.
    const spec = { name: `db-${database}`, kind: 'sql-dump', compression, extension: `.sql${(0,sources_compression/* compressionExtension */.U)(compression)}`, details: { database, defaults } };
    const done = sink.addPart(spec, async (out) => {
        const skipped = options.skipLogTables && database === 'dtable_db' ? LOG_TABLES : [];
        await (0,mysql/* dumpDatabase */.m3)(host, options.access, database, { ignoreTableData: skipped.filter(table => table in before.tables), compression, onSnapshot: snapshotTaken }, out);
        const after = await (0,mysql/* inventoryDatabase */.OP)(host, options.access, database);
        const { tables, ranges } = mergeCounts(before, after);
        for (const table of skipped)
            if (table in tables)
                tables[table] = 0;
        return { tables, details: { database, defaults, objects: before.objects, rowCountRanges: ranges, dataSkipped: skipped } };
    });
    // A database with nothing to dump shows no section: its snapshot is certain once the dump ended.
    return { done, snapshot: Promise.race([snapshot, done.then(() => undefined)]) };
}
/**
 * Every recorded default character set and collation that is not a plain name, one sentence each: for
 * acceptManifest, before anything is downloaded (the import checks again before it drops anything).
 */
function recordedDefaultsProblems(records) {
    return records.flatMap(record => {
        if (record.kind !== 'sql-dump' || record.details?.defaults === undefined)
            return [];
        const problem = (0,mysql_defaults/* defaultsProblem */.o6)(record.details.defaults);
        return problem ? [`part ${record.name}: ${problem}`] : [];
    });
}
/**
 * What the target server lacks to re-create each database with the defaults its backup recorded, one
 * sentence each (malformed recorded values too), asked before anything on the host changes. A backup made
 * before the defaults were recorded has none to check: its databases get utf8mb4_unicode_ci, as before.
 */
async function databaseDefaultsProblems(host, access, records) {
    const problems = recordedDefaultsProblems(records);
    const wanted = records.flatMap(record => {
        if (record.kind !== 'sql-dump' || record.details?.defaults === undefined || (0,mysql_defaults/* defaultsProblem */.o6)(record.details.defaults))
            return [];
        return [{ name: record.name, defaults: (0,mysql_defaults/* recordedDefaults */.BZ)(record) }];
    });
    if (wanted.length === 0)
        return problems;
    const pairs = wanted.map(entry => entry.defaults);
    const support = await (0,mysql/* defaultsSupport */.ou)(host, access, pairs);
    const server = `this MariaDB server (${support.version})`;
    const fix = 'restore onto the MariaDB version the backup came from';
    wanted.forEach(({ name, defaults }, index) => {
        const found = support.pairs[index];
        if (!found.characterSet)
            problems.push(`${name} was made with character set ${defaults.characterSet}, which ${server} does not have: ${fix}`);
        else if (!found.collation)
            problems.push(`${name} was made with collation ${defaults.collation}, which ${server} does not have: ${fix}`);
        else if (!found.together)
            problems.push(`${name} records collation ${defaults.collation} with character set ${defaults.characterSet}, which ${server} does not pair: the manifest was altered`);
    });
    return problems;
}
/**
 * Before the stop, while SeaTable still runs: imports a database's dump into a side database and checks it
 * there against the manifest, to be swapped in by RENAME TABLE after the stop. Undefined (an import in
 * place after a dump of it) when a swap cannot carry the database: see swapObstacle.
 */
async function prepareDatabaseSwap(host, options, part, context) {
    const { logger, stamp } = context;
    if (part.record.kind !== 'sql-dump')
        return undefined;
    const database = part.record.name.replace(/^db-/, '');
    const names = swappedDatabase(database, stamp);
    const inPlace = (why) => {
        logger.info(`${part.record.name}: imported in place after the stop, with a dump of it kept first: ${why}`);
        return undefined;
    };
    const obstacle = await swapObstacle(host, options.access, names, part.record);
    if (obstacle || !names)
        return inPlace(obstacle);
    const began = Date.now();
    // Once swapped in, the side database is gone (the swap dropped it): nothing is left to remove.
    let swappedIn = false;
    const discard = async () => {
        if (!swappedIn)
            await discardIncoming(host, options.access, names);
    };
    const defaults = (0,mysql_defaults/* recordedDefaults */.BZ)(part.record);
    let objects;
    try {
        const created = await importBeside(host, options.access, names, { record: part.record, compression: part.record.compression, input: (0,recipe/* partInput */.SI)(part, `Importing ${database}`, logger), defaults });
        if (created.leftovers.length > 0)
            logger.info(`${part.record.name}: dropped ${created.leftovers.join(', ')}, left by an interrupted restore`);
        if (created.note)
            logger.info(`${part.record.name}: ${created.note} (the backup was made before selfhost-backup recorded a database's defaults)`);
        objects = created.objects;
    }
    catch (error) {
        await discard().catch(() => undefined);
        throw error;
    }
    const problem = objectsProblem(objects);
    if (problem) {
        await discard();
        return inPlace(`in the backup, ${problem}`);
    }
    logger.info(`${part.record.name}: imported beside the live database into ${names.incoming} and checked in ${(0,log/* formatSeconds */.Xo)(Date.now() - began)}`);
    const swap = { part, names, defaults: defaults ?? mysql_defaults/* FALLBACK_DEFAULTS */.Sz, objects };
    const swapIn = async (swaps) => {
        const line = await swapDatabaseIn(host, options, swap, swaps, logger);
        swappedIn = true;
        return line;
    };
    return { part: part.record.name, discard, swapIn };
}
async function restoreDatabases(host, options, parts, context) {
    const { logger, swaps, prepared } = context;
    // Every part's recorded defaults are checked before the first database is dropped.
    const defaults = parts.map(part => (0,mysql_defaults/* recordedDefaults */.BZ)(part.record));
    // Two at a time: the small databases import beside the large one. After a failure no further database is dropped.
    return (0,concurrency/* mapWithLimit */.c$)(parts, IMPORTS_AT_ONCE, async (part, index) => {
        const swap = prepared.get(part.record.name);
        if (swap)
            return swap.swapIn(swaps);
        // From the part name, which acceptManifest matched against the databases this restore may re-create.
        const database = part.record.name.replace(/^db-/, '');
        const began = Date.now();
        const created = await (0,mysql/* importDatabase */.DD)(host, options.access, database, part.record.compression, (0,recipe/* partInput */.SI)(part, `Importing ${database}`, logger), defaults[index]);
        if (created.note)
            logger.info(`${part.record.name}: ${created.note} (the backup was made before selfhost-backup recorded a database's defaults)`);
        const imported = Date.now();
        const inventory = await (0,mysql/* inventoryDatabase */.OP)(host, options.access, database);
        (0,mysql/* checkInventory */.Lb)(database, part.record, inventory);
        logger.info(`${part.record.name}: imported in ${(0,log/* formatSeconds */.Xo)(imported - began)}, counted and checked in ${(0,log/* formatSeconds */.Xo)(Date.now() - imported)}`);
        return `${database}: imported; ${Object.keys(inventory.tables).length} tables with the backup's row counts, ${inventory.objects.routines} routines, ${inventory.objects.triggers} triggers, ${inventory.objects.events} events, ${inventory.objects.views} views; ${created.note ?? `default ${(0,mysql_defaults/* describeDefaults */.EK)(created.defaults)}, as in the backup`}`;
    });
}
/** The prepared side database swapped in by one RENAME TABLE, its objects after it; the live tables stay in the kept database. */
async function swapDatabaseIn(host, options, swap, swaps, logger) {
    const { part, names, defaults, objects } = swap;
    const kept = {
        part: part.record.name,
        live: names.live,
        kept: names.kept,
        putBack: () => swapTablesBack(host, options.access, names),
        drop: () => dropKept(host, options.access, names)
    };
    const began = Date.now();
    try {
        await swapTablesIn(host, options.access, names, { defaults, objects });
    }
    catch (error) {
        // Recorded only when the RENAME happened: a rollback then moves the kept tables back.
        const happened = await swapHappened(host, options.access, names).catch((checkError) => {
            logger.warning(`${part.record.name}: the swap failed, and asking whether its RENAME happened failed too (${checkError.message}): the live tables are in ${names.live} or, if the RENAME happened, in ${names.kept}, with their views, triggers, routines and events recorded in its table selfhost_backup_swapped`);
            return false;
        });
        if (happened)
            swaps.keepDatabase(kept);
        throw error;
    }
    swaps.keepDatabase(kept);
    logger.info(`${part.record.name}: swapped in by RENAME TABLE in ${(0,log/* formatSeconds */.Xo)(Date.now() - began)}, the tables it replaced are kept in ${names.kept}`);
    const tables = Object.keys(part.record.tables ?? {}).length;
    const counts = ['view', 'trigger', 'procedure', 'function', 'event']
        .map(kind => [objects.filter(object => object.kind === kind).length, kind])
        .map(([count, kind]) => `${count} ${kind}${count === 1 ? '' : 's'}`)
        .join(', ');
    return `${names.live}: swapped in; ${tables} tables with the backup's row counts (checked before the stop), ${counts}, default ${(0,mysql_defaults/* describeDefaults */.EK)(defaults)}; the tables it replaced are kept in the database ${names.kept}`;
}
const IMPORTS_AT_ONCE = 2;
/** put-back: every one of `databases` the restore with this stamp swapped goes back to the tables it kept. */
async function putBackDatabases(host, access, databases, stamp, logger) {
    const report = [];
    for (const names of await keptDatabases(host, access, databases, stamp)) {
        await swapTablesBack(host, access, names);
        report.push(`database ${names.live} is as it was before the restore ${stamp} (from ${names.kept})`);
        logger.info(report[report.length - 1]);
    }
    return report;
}

// EXTERNAL MODULE: ./src/kernel/app-version.ts
var app_version = __webpack_require__(7875);
;// CONCATENATED MODULE: ./src/recipes/app-probes.ts


/**
 * Read-only questions to the host's container engine about the app's version. Any failure (no docker, no
 * daemon, no such container, no permission) answers "unknown": a version is worth recording, never worth
 * failing a backup for. Whatever docker prints is host output: only a well-formed image reference is kept.
 */
/** The image a container was created from (`docker inspect`), e.g. seatable/seatable-enterprise:6.0.10. */
async function containerImage(host, container) {
    const result = await host
        .run((0,shell/* script */.K$)(`docker inspect --type=container --format '{{.Config.Image}}' ${(0,shell/* quote */.hD)(container)} 2>/dev/null`), { allowFailure: true, description: `Reading the image of ${container}` })
        .catch(() => undefined);
    return result?.exitCode === 0 ? (0,app_version/* parseImage */.zZ)(result.stdout) : undefined;
}
/** The images of the running containers that `pattern` matches (`docker ps`), without repeats. */
async function runningImages(host, pattern) {
    const result = await host.run((0,shell/* script */.K$)("docker ps --format '{{.Image}}' 2>/dev/null"), { allowFailure: true, description: 'Listing the running containers' }).catch(() => undefined);
    if (result?.exitCode !== 0)
        return [];
    const images = result.stdout.split('\n').flatMap(line => (0,app_version/* parseImage */.zZ)(line) ?? []);
    return [...new Set(images.filter(image => pattern.test(image)))];
}
/** A value as a .env or config file writes it, without the quotes around it. */
function unquoted(value) {
    return value.trim().replace(/^(["'])(.*)\1$/, '$2');
}
/**
 * The value of `name` in a compose .env file (e.g. SEATABLE_IMAGE), quotes removed. Only that one line is
 * read back: the file also holds passwords, which never leave the host.
 */
async function envFileValue(host, file, name) {
    return (await envFileValues(host, file, [name])).get(name);
}
/** Several names of a compose .env in one round trip (see envFileValue); a name that is not there is left out. */
async function envFileValues(host, file, names) {
    const values = new Map();
    const wanted = names.filter(name => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
    if (wanted.length === 0)
        return values;
    const lines = wanted.map(name => `printf '%s\\0' ${(0,shell/* quote */.hD)(name)}; sed -n ${(0,shell/* quote */.hD)(`s/^[[:space:]]*${name}[[:space:]]*=[[:space:]]*//p`)} -- ${(0,shell/* quote */.hD)(file)} | tail -n 1 | tr -d '\\000\\n'; printf '\\0'`);
    const result = await host.run((0,shell/* script */.K$)(`[ -r ${(0,shell/* quote */.hD)(file)} ] || exit 0`, ...lines), { allowFailure: true, description: `Reading ${wanted.length} names from ${file}` }).catch(() => undefined);
    const fields = result?.exitCode === 0 ? result.stdout.split('\0') : [];
    for (let index = 0; index + 1 < fields.length; index += 2) {
        const value = unquoted(fields[index + 1]);
        if (wanted.includes(fields[index]) && value)
            values.set(fields[index], value);
    }
    return values;
}

// EXTERNAL MODULE: ./node_modules/js-yaml/dist/js-yaml.mjs
var js_yaml = __webpack_require__(3243);
;// CONCATENATED MODULE: ./src/recipes/compose-project.ts




const MAX_COMPOSE_BYTES = 1024 * 1024;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.ya?ml$/;
const SECRET_NAME = /PASS|SECRET|KEY|TOKEN|CREDENTIAL/i;
const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+]([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
/** The project in `composeDir`: the files of COMPOSE_FILE (comma or colon separated), else compose.yml / docker-compose.yml. */
async function readComposeProject(host, composeDir) {
    const envFile = external_node_path_.posix.join(composeDir, '.env');
    const listed = (await envFileValue(host, envFile, 'COMPOSE_FILE')) ?? '';
    const names = listed
        ? listed
            .split(/[,:]/)
            .map(name => name.trim())
            .filter(Boolean)
        : await defaultComposeFile(host, composeDir);
    const project = { files: [], services: [], unreadable: [] };
    // The files are read side by side, and the variables their paths use in one round trip after them.
    const texts = await Promise.all(names.map(name => (FILE_NAME.test(name) ? readSmallFile(host, external_node_path_.posix.join(composeDir, name)) : Promise.resolve(undefined))));
    const parsedFiles = [];
    names.forEach((name, index) => {
        const text = texts[index];
        if (!FILE_NAME.test(name))
            project.unreadable.push(`${JSON.stringify(name)} in COMPOSE_FILE is not a compose file name in ${composeDir}`);
        else if (text === undefined)
            project.unreadable.push(`${name} could not be read`);
        else {
            try {
                parsedFiles.push({ name, services: servicesOf((0,js_yaml/* load */.Hh)(text, { schema: js_yaml/* CORE_SCHEMA */.OU })) });
                project.files.push(name);
            }
            catch (error) {
                project.unreadable.push(`${name} is not valid YAML (${error.message.split('\n')[0]})`);
            }
        }
    });
    const referenced = new Set();
    for (const service of parsedFiles.flatMap(file => file.services)) {
        const sources = [service.image ?? '', ...service.binds.map(bind => bind.source), ...service.volumes].join(' ');
        for (const match of sources.matchAll(VARIABLE))
            referenced.add(match[1] ?? match[3]);
    }
    // A name that sounds like a secret is never read: its value could end up in a path shown in the summary.
    const read = await envFileValues(host, envFile, [...referenced].filter(variable => !SECRET_NAME.test(variable)));
    const variables = new Map([...referenced].map(variable => [variable, read.get(variable)]));
    for (const file of parsedFiles)
        for (const service of file.services)
            mergeService(project, resolveService(service, composeDir, variables));
    return project;
}
async function defaultComposeFile(host, composeDir) {
    const candidates = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
    const found = await host.run((0,shell/* script */.K$)(`cd -- ${(0,shell/* quote */.hD)(composeDir)} 2>/dev/null || exit 0`, ...candidates.map(name => `if [ -f ${(0,shell/* quote */.hD)(name)} ]; then echo ${(0,shell/* quote */.hD)(name)}; exit 0; fi`)), {
        description: `Looking for a compose file in ${composeDir}`
    });
    return found.stdout.split('\n').filter(Boolean).slice(0, 1);
}
async function readSmallFile(host, path) {
    const result = await host
        .run((0,shell/* script */.K$)(`[ -f ${(0,shell/* quote */.hD)(path)} ] && [ -r ${(0,shell/* quote */.hD)(path)} ] || exit 3`, `head -c ${MAX_COMPOSE_BYTES} -- ${(0,shell/* quote */.hD)(path)}`), { allowFailure: true, description: `Reading ${path}` })
        .catch(() => undefined);
    return result?.exitCode === 0 ? result.stdout : undefined;
}
/** Services as the file spells them: short ("src:dst[:mode]") and long ({type, source, target}) volume syntax. */
function servicesOf(parsed) {
    const services = parsed?.services;
    if (typeof services !== 'object' || services === null)
        return [];
    return Object.entries(services).map(([name, value]) => {
        const spec = (typeof value === 'object' && value !== null ? value : {});
        const service = { name, ...(typeof spec.image === 'string' ? { image: spec.image } : {}), binds: [], volumes: [] };
        for (const entry of Array.isArray(spec.volumes) ? spec.volumes : []) {
            if (typeof entry === 'string') {
                const [source = '', target = ''] = splitVolume(entry);
                if (isHostPath(source))
                    service.binds.push({ source, target });
                else if (source && target)
                    service.volumes.push(source);
            }
            else if (typeof entry === 'object' && entry !== null) {
                const { type, source, target } = entry;
                if (typeof source !== 'string' || source === '')
                    continue;
                if (type === 'bind' || (type === undefined && isHostPath(source)))
                    service.binds.push({ source, target: typeof target === 'string' ? target : '' });
                else if (type === 'volume' || type === undefined)
                    service.volumes.push(source);
            }
        }
        return service;
    });
}
/** "src:dst[:mode]", where src may hold a ${VAR:-default} with colons of its own. */
function splitVolume(entry) {
    const fields = [];
    let current = '';
    let depth = 0;
    for (let index = 0; index < entry.length; index++) {
        const character = entry[index];
        if (character === '$' && entry[index + 1] === '{')
            depth++;
        else if (character === '}' && depth > 0)
            depth--;
        if (character === ':' && depth === 0) {
            fields.push(current);
            current = '';
        }
        else
            current += character;
    }
    fields.push(current);
    return fields;
}
const isHostPath = (source) => /^(\/|\.\/|\.\.\/|~|\$)/.test(source) || source === '.';
/** Variables filled in from the .env (or their ${X:-default}), relative paths resolved against the project directory. */
function resolveService(service, composeDir, variables) {
    const fill = (text) => text.replace(VARIABLE, (_match, braced, fallback, bare) => variables.get(braced ?? bare ?? '') ?? fallback ?? '');
    const binds = service.binds.flatMap(bind => {
        const source = fill(bind.source);
        if (source.startsWith('~') || source === '')
            return [];
        return [{ source: external_node_path_.posix.resolve(composeDir, source), target: bind.target }];
    });
    return { name: service.name, ...(service.image ? { image: fill(service.image) } : {}), binds, volumes: service.volumes.map(fill).filter(Boolean) };
}
/** Several files may add to one service (an override file adding a volume): merged by name. */
function mergeService(project, service) {
    const existing = project.services.find(candidate => candidate.name === service.name);
    if (!existing) {
        project.services.push(service);
        return;
    }
    if (service.image)
        existing.image = service.image;
    existing.binds.push(...service.binds.filter(bind => !existing.binds.some(known => known.source === bind.source && known.target === bind.target)));
    existing.volumes.push(...service.volumes.filter(volume => !existing.volumes.includes(volume)));
}

;// CONCATENATED MODULE: ./src/recipes/seatable-coverage.ts





const DATABASE_IMAGE = /(^|\/)(mariadb|mysql|percona)(:|@|$)/;
const CACHE_IMAGE = /(^|\/)(redis|memcached|valkey)(:|@|$)/;
const AI_IMAGE = /(^|\/)seatable-ai(:|@|$)/;
/** Host files a container sees but nobody backs up: sockets, clocks, the kernel's views. */
const SYSTEM_PATHS = ['/var/run', '/run', '/etc/localtime', '/etc/timezone', '/dev', '/proc', '/sys'];
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,62}$/;
const inside = (path, dir) => dir !== '' && (path === dir || path.startsWith(`${dir}/`));
/** The survey of a host: `places` are the directories the backup holds (data, compose, caddy). */
async function surveySeaTable(host, places, version, logger) {
    const survey = { aiDir: '', notCovered: [], components: [] };
    // Independent questions to the host, asked side by side: a backup's fixed cost is their slowest, not their sum.
    const [project, s3Switches, secrets] = await Promise.all([
        places.composeDir ? readComposeProject(host, places.composeDir) : Promise.resolve(undefined),
        findS3(host, places),
        presentSecrets(host, places.composeDir)
    ]);
    for (const unreadable of project?.unreadable ?? [])
        survey.notCovered.push(`compose project ${places.composeDir}: ${unreadable}, so what its components keep is unknown`);
    const ai = aiService(project);
    survey.aiDir = aiDirectory(ai);
    const covered = [places.root, places.composeDir, places.caddyDir, survey.aiDir];
    for (const service of project?.services ?? [])
        classify(service, { covered, dbContainer: places.dbContainer, ai: service === ai }, survey);
    const s3 = { ...s3Switches, evidence: [...(project?.files.includes('seatable-s3.yml') ? [S3_COMPOSE_EVIDENCE] : []), ...s3Switches.evidence] };
    if (s3.evidence.length > 0)
        survey.s3 = s3;
    survey.notCovered.push(...missingSecrets(secrets, places.composeDir, await version));
    if (survey.components.length > 0)
        logger.info(['SeaTable components (compose):', ...survey.components.map(line => `  - ${line}`)].join('\n'));
    return survey;
}
function aiService(project) {
    return project?.services.find(service => service.name === 'seatable-ai' || AI_IMAGE.test(service.image ?? ''));
}
/** SeaTable AI's data directory: what its service mounts at /shared (else its first bind mount); empty without one. */
function aiDirectory(ai) {
    return ai ? ((ai.binds.find(bind => bind.target === '/shared') ?? ai.binds[0])?.source ?? '') : '';
}
/** Only where SeaTable AI keeps its data, from the compose project: what a restore needs of the survey. */
async function findAiDirectory(host, composeDir) {
    return composeDir ? aiDirectory(aiService(await readComposeProject(host, composeDir))) : '';
}
function classify(service, context, survey) {
    const label = `${service.name}${service.image ? ` (${service.image})` : ''}`;
    const binds = service.binds.filter(bind => !SYSTEM_PATHS.some(system => inside(bind.source, system)));
    if (binds.length === 0 && service.volumes.length === 0)
        return;
    if (DATABASE_IMAGE.test(service.image ?? '') || service.name === context.dbContainer) {
        survey.components.push(`${label}: its databases are in the SQL dumps`);
        return;
    }
    if (CACHE_IMAGE.test(service.image ?? '')) {
        survey.components.push(`${label}: a cache, nothing to keep`);
        return;
    }
    // A bind is covered inside a directory the backup holds, or when it holds one (SeaTable mounts the data directory's parent).
    const uncovered = binds.filter(bind => !context.covered.some(dir => inside(bind.source, dir) || inside(dir, bind.source)));
    for (const bind of uncovered)
        survey.notCovered.push(`${label}: ${bind.source} (mounted at ${bind.target || '?'}) is not in this backup`);
    for (const volume of service.volumes)
        survey.notCovered.push(`${label}: the docker volume ${volume} is not in this backup`);
    const held = binds.length - uncovered.length;
    survey.components.push(`${label}: ${context.ai ? 'the ai part' : held > 0 ? 'in the data, compose or caddy part' : 'nothing of it'}${uncovered.length + service.volumes.length > 0 ? `; not covered: ${[...uncovered.map(bind => bind.source), ...service.volumes].join(', ')}` : ''}`);
}
/**
 * S3 storage, from SeaTable's own switches: seatable-s3.yml in COMPOSE_FILE (6.1+), `type = s3` for the storage
 * server (base snapshots, storage-data), an `s3` object backend in seafile.conf (files and pictures,
 * seafile-data), S3 avatars in dtable_web_settings.py. Bucket names come from `bucket =` lines and
 * S3_…BUCKET… variables; nothing else of those files (they hold the S3 keys) is read back.
 */
const S3_COMPOSE_EVIDENCE = 'COMPOSE_FILE includes seatable-s3.yml: base snapshots, files, pictures and avatars are in S3';
async function findS3(host, places) {
    const conf = external_node_path_.posix.join(places.root, 'conf');
    const env = places.composeDir ? external_node_path_.posix.join(places.composeDir, '.env') : '';
    const result = await host.run((0,shell/* script */.K$)(`conf=${(0,shell/* quote */.hD)(conf)}; env=${(0,shell/* quote */.hD)(env)}`, 'found() { [ -f "$1" ] && grep -qiE "$2" -- "$1"; }', 'if found "$conf/dtable-storage-server.conf" \'^[[:space:]]*type[[:space:]]*=[[:space:]]*s3[[:space:]]*$\'; then printf "evidence\\t%s\\n" "dtable-storage-server.conf: base snapshots (storage-data) are in S3"; fi', 'if found "$conf/seafile.conf" \'^[[:space:]]*name[[:space:]]*=[[:space:]]*s3[[:space:]]*$\'; then printf "evidence\\t%s\\n" "seafile.conf: files and pictures (seafile-data) are in S3"; fi', 'if found "$conf/dtable_web_settings.py" \'^[[:space:]]*AVATAR_FILE_STORAGE[[:space:]]*=.*s3\'; then printf "evidence\\t%s\\n" "dtable_web_settings.py: avatars are in S3"; fi', 'for file in "$conf/dtable-storage-server.conf" "$conf/seafile.conf"; do [ -f "$file" ] && sed -n -E \'s/^[[:space:]]*bucket[[:space:]]*=[[:space:]]*/bucket\t/p\' -- "$file"; done', '[ -n "$env" ] && [ -f "$env" ] && sed -n -E \'s/^[[:space:]]*S3_[A-Z_]*BUCKET[A-Z_]*[[:space:]]*=[[:space:]]*/bucket\t/p\' -- "$env"', 'exit 0'), { allowFailure: true, description: 'Looking for S3 storage in the SeaTable configuration' });
    const evidence = [];
    const buckets = new Set();
    for (const line of result.stdout.split('\n')) {
        const [kind, value = ''] = line.split('\t');
        if (kind === 'evidence')
            evidence.push(value);
        const name = unquoted(value);
        if (kind === 'bucket' && BUCKET_NAME.test(name))
            buckets.add(name);
    }
    return { evidence, buckets: [...buckets] };
}
const SECRETS = [
    { name: 'JWT_PRIVATE_KEY', since: '5.3', loses: 'every login session' },
    { name: 'SECRET_KEY', since: '6.2', loses: 'every login session and third-party account link' }
];
/** Which of the secrets SeaTable reads from the compose .env have a value there: only whether, never the values. */
async function presentSecrets(host, composeDir) {
    if (!composeDir)
        return new Set();
    const env = external_node_path_.posix.join(composeDir, '.env');
    const result = await host.run((0,shell/* script */.K$)(`env=${(0,shell/* quote */.hD)(env)}`, '[ -r "$env" ] || exit 0', ...SECRETS.map(({ name }) => `grep -qE ${(0,shell/* quote */.hD)(`^[[:space:]]*${name}[[:space:]]*=[[:space:]]*["']?[^"'[:space:]]`)} -- "$env" && echo ${name}`), 'exit 0'), { allowFailure: true, description: `Checking the secrets in ${env}` });
    return new Set(result.stdout.split('\n'));
}
/** SeaTable 5.3 reads JWT_PRIVATE_KEY and 6.2 also SECRET_KEY from the compose .env; a backup without them restores logged out. */
function missingSecrets(present, composeDir, version) {
    if (!composeDir || !version)
        return [];
    const env = external_node_path_.posix.join(composeDir, '.env');
    return SECRETS.filter(secret => (0,app_version/* compareReleases */.c0)(version, secret.since) >= 0 && !present.has(secret.name)).map(({ name, since, loses }) => `${env} has no ${name}, which SeaTable ${since} and later read from it: a restore of this backup would lose ${loses} (add it to the .env as SeaTable's upgrade notes say)`);
}

;// CONCATENATED MODULE: ./src/recipes/seatable-install.ts






/** The release and image of the SeaTable this host runs. */
async function readSeaTableVersion(host, options) {
    // The container's own image; a stopped or renamed container leaves the image the compose .env names.
    const fromContainer = options.seatableContainer ? await containerImage(host, options.seatableContainer) : undefined;
    const fromCompose = fromContainer || !options.composeDir ? undefined : (0,app_version/* parseImage */.zZ)((await envFileValue(host, external_node_path_.posix.join(options.composeDir, '.env'), 'SEATABLE_IMAGE')) ?? '');
    const image = fromContainer ?? fromCompose;
    const version = image ? (0,app_version/* versionFromImage */.Qr)(image) : undefined;
    return { ...(image ? { image } : {}), ...(version ? { version } : {}) };
}
/**
 * SeaTable AI's directory (the input, else the compose project's), and for a backup the survey of what the
 * install keeps beyond it; S3 storage refuses a backup that would look complete unless seatable-s3: skip.
 */
async function surveyInstall(host, options, purpose, logger) {
    // A restore needs only where the ai part goes; what a backup would not hold is a backup's question.
    if (purpose === 'restore')
        return { aiDir: options.aiDir || (await findAiDirectory(host, options.composeDir)) };
    // Read beside the survey, and kept: the backup records it (readVersion) without asking the host again.
    const running = readSeaTableVersion(host, options);
    const dbContainer = options.access.mode === 'docker' ? options.access.container : '';
    const survey = await surveySeaTable(host, { root: options.root, composeDir: options.composeDir, caddyDir: options.caddyDir, dbContainer }, running.then(read => read.version), logger);
    survey.running = await running;
    const aiDir = options.aiDir || survey.aiDir;
    if (survey.s3 && options.s3Mode === 'refuse') {
        throw new errors/* PreflightError */.wG([
            `SeaTable keeps files in S3, not on this disk: ${survey.s3.evidence.join('; ')}`,
            `a backup would hold the databases and the data directory, but not the files in the buckets${survey.s3.buckets.length > 0 ? ` (${survey.s3.buckets.join(', ')})` : ''}`
        ], "back the buckets up with your object storage's own tools (versioning, replication or a copy), then set seatable-s3: skip to back up the rest; the manifest and summary will say the buckets are not in it.");
    }
    const present = aiDir ? await (0,host_files/* existingOnHost */.p9)(host, [aiDir], '-d', "Looking for SeaTable AI's directory") : [];
    if (aiDir && present.length === 0)
        survey.notCovered.push(`SeaTable AI's directory ${aiDir} does not exist on the host, so there is no ai part (set seatable-ai-dir if it lives elsewhere)`);
    return { aiDir: present.length > 0 ? aiDir : '', survey };
}
/** What a backup of this install will not hold: the survey's findings, and the buckets when seatable-s3: skip. */
function notCoveredBy(options) {
    const s3 = options.survey?.s3;
    const buckets = s3
        ? `SeaTable keeps files in S3 (${s3.evidence.join('; ')}), and the buckets${s3.buckets.length > 0 ? ` ${s3.buckets.join(', ')}` : ''} are not in this backup (seatable-s3: skip): back them up with your object storage's own tools`
        : undefined;
    return [...(options.survey?.notCovered ?? []), ...(buckets ? [buckets] : [])];
}

;// CONCATENATED MODULE: ./src/recipes/seatable.ts














const DEFAULT_DATABASES = ['ccnet_db', 'seafile_db', 'dtable_db'];
/** Every database a SeaTable install has (scheduler only on newer ones): a restore may re-create these on an empty server. */
const SEATABLE_DATABASES = [...DEFAULT_DATABASES, 'scheduler'];
const DEFAULT_CADDY_DIR = '/opt/caddy';
const LAYOUT_DEFAULT_HINT = "give a full path on the host, or leave it empty for the layout's default.";
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
function nameOrEmpty(reader, name) {
    const value = reader.string(name);
    if (value && !NAME_PATTERN.test(value))
        throw new errors/* InputError */.dz(name, `"${value}" is not a valid name.`, 'use letters, digits, ".", "_" and "-".');
    return value;
}
const seatableRecipe = {
    id: 'seatable',
    title: 'SeaTable',
    makesDatabaseDumps: true,
    revision: 1,
    inputs: [
        'seatable-root',
        'seatable-layout',
        'compose-dir',
        'caddy-dir',
        'db-mode',
        'db-container',
        'seatable-container',
        'db-host',
        'db-port',
        'db-user',
        'db-password',
        'databases',
        'skip-log-tables',
        'dtable-db-backup',
        'compression',
        'seatable-ai-dir',
        'seatable-s3'
    ],
    parseOptions(raw) {
        const reader = new input_reader.InputReader(name => raw[name] ?? '');
        const layout = reader.choice('seatable-layout', ['auto', 'old', 'current']);
        const mode = reader.choice('db-mode', ['docker', 'direct']);
        const user = reader.string('db-user') || 'root';
        const password = reader.string('db-password');
        // Checked in both modes: a wrong value is worth an error even where it would be ignored.
        const container = nameOrEmpty(reader, 'db-container');
        const dbHost = nameOrEmpty(reader, 'db-host') || '127.0.0.1';
        const port = reader.integer('db-port', { min: 1, max: 65535 }) ?? 3306;
        const access = mode === 'docker' ? { mode, container, user, password } : { mode, host: dbHost, port, user, password };
        const databases = reader
            .string('databases', { multiline: true })
            .split(/[\s,]+/)
            .filter(Boolean);
        for (const database of databases) {
            if (!/^[A-Za-z0-9_]{1,64}$/.test(database))
                throw new errors/* InputError */.dz('databases', `"${database}" is not a database name.`, 'list names like ccnet_db seafile_db dtable_db.');
        }
        const compression = (0,sources_compression/* parseCompressionChoice */.bD)(raw.compression);
        return {
            layout,
            root: reader.absolutePath('seatable-root', LAYOUT_DEFAULT_HINT),
            composeDir: reader.absolutePath('compose-dir', LAYOUT_DEFAULT_HINT),
            caddyDir: reader.absolutePath('caddy-dir', LAYOUT_DEFAULT_HINT),
            access,
            databases,
            configuredDatabases: databases,
            skipLogTables: reader.boolean('skip-log-tables'),
            dtableDbBackup: (raw['dtable-db-backup'] ?? 'true') === '' ? true : reader.boolean('dtable-db-backup'),
            compression,
            dataExcludes: [],
            seatableContainer: nameOrEmpty(reader, 'seatable-container'),
            aiDir: reader.absolutePath('seatable-ai-dir', LAYOUT_DEFAULT_HINT),
            s3Mode: (raw['seatable-s3'] ?? '') === '' ? 'refuse' : reader.choice('seatable-s3', ['refuse', 'skip'])
        };
    },
    async detect(host, options) {
        const facts = await probeHost(host, options.root ? [options.root] : []);
        if (options.root && facts.paths.has(options.root))
            return `found ${options.root}`;
        if (options.layout !== 'auto')
            return `${options.layout} layout (set by seatable-layout)`;
        // Evidence of both layouts is still SeaTable: preflight then asks for seatable-layout.
        const evidence = layoutEvidence(facts);
        const found = ['current', 'old'].filter(name => evidence[name].length > 0);
        return found.length > 0 ? `${found.join(' and ')} layout (${found.flatMap(name => evidence[name]).join(', ')})` : null;
    },
    async preflight(host, options, purpose, { logger }) {
        const facts = await probeHost(host, [options.root, options.composeDir, DEFAULT_CADDY_DIR].filter(Boolean));
        const { layout, reason } = chooseLayout(options.layout, facts);
        const defaults = LAYOUTS[layout];
        logger.info(`SeaTable: ${layout} layout (${reason})`);
        const resolved = {
            ...options,
            layout,
            root: options.root || defaults.root,
            composeDir: options.composeDir || defaults.composeDir,
            // Only where it exists: a restore must not invent a place for a caddy part on a host that has none.
            caddyDir: options.caddyDir || (facts.paths.has(DEFAULT_CADDY_DIR) ? DEFAULT_CADDY_DIR : ''),
            access: options.access.mode === 'docker' ? { ...options.access, container: options.access.container || defaults.dbContainer } : options.access,
            seatableContainer: options.seatableContainer || defaults.seatableContainer,
            dataExcludes: [...defaults.dataExcludes]
        };
        const problems = [];
        if (purpose === 'backup' && !facts.paths.has(resolved.root))
            problems.push(`the SeaTable data directory ${resolved.root} does not exist (set seatable-root)`);
        if (purpose === 'backup' && resolved.composeDir && !facts.paths.has(resolved.composeDir))
            problems.push(`the compose directory ${resolved.composeDir} does not exist (set compose-dir)`);
        if (resolved.access.mode === 'docker' || resolved.dtableDbBackup) {
            if (!facts.hasDocker)
                problems.push('docker is not installed on the host (or not on the PATH of the login user / sudo)');
            if (resolved.access.mode === 'docker' && facts.hasDocker && !facts.containers.has(resolved.access.container))
                problems.push(`the database container ${resolved.access.container} is not running (set db-container)`);
            if (resolved.dtableDbBackup && facts.hasDocker && !facts.containers.has(resolved.seatableContainer))
                problems.push(`the SeaTable container ${resolved.seatableContainer} is not running (set seatable-container, or dtable-db-backup: false)`);
        }
        const needs = purpose === 'restore' ? host_files/* RESTORE_HOST_NEEDS */.Y0.map(([test, problem]) => `${test} || echo ${(0,shell/* quote */.hD)(problem)}`) : [];
        // Asked side by side (each is a round trip), and judged in this order: the host's problems above all.
        const [tools, access, compression, install] = await Promise.allSettled([
            host.run(['tar --version 2>/dev/null | grep -q "GNU tar" || echo "GNU tar is not installed (apt-get install tar)"', ...needs].join('\n'), { description: 'Checking tar' }),
            checkDatabaseAccess(host, resolved.access),
            (0,sources_compression/* resolveCompression */.$o)(host, options.compression),
            surveyInstall(host, resolved, purpose, logger)
        ]);
        problems.push(...(0,concurrency/* settled */.gu)(tools).stdout.split('\n').filter(Boolean));
        if (problems.length > 0)
            throw new errors/* PreflightError */.wG(problems, 'fix the problems above; nothing was changed.');
        const existing = (0,concurrency/* settled */.gu)(access);
        if (resolved.databases.length === 0) {
            resolved.databases = [...DEFAULT_DATABASES, ...(existing.includes('scheduler') ? ['scheduler'] : [])];
        }
        if (purpose === 'restore') {
            // Used only by the safety copy: every database a restore may import (SeaTable's own and the configured
            // ones) that exists now, so an import never drops a database the safety copy did not dump first.
            resolved.databases = [...new Set([...SEATABLE_DATABASES, ...options.configuredDatabases])].filter(database => existing.includes(database));
        }
        else {
            const missing = resolved.databases.filter(database => !existing.includes(database));
            if (missing.length > 0)
                throw new errors/* PreflightError */.wG(missing.map(database => `the database ${database} does not exist on the server`), 'check `databases` (default: ccnet_db seafile_db dtable_db).');
        }
        return { ...resolved, ...(0,concurrency/* settled */.gu)(install), compression: (0,concurrency/* settled */.gu)(compression) };
    },
    restorable(host, options, manifest) {
        // A collation the target server lacks would fail the import after the stop: said before anything moves.
        return databaseDefaultsProblems(host, options.access, manifest.parts.filter(part => part.kind === 'sql-dump'));
    },
    notCovered(options) {
        return notCoveredBy(options);
    },
    async secretFiles(host, options) {
        if (!options.composeDir)
            return [];
        const env = external_node_path_.posix.join(options.composeDir, '.env');
        const found = await (0,host_files/* existingOnHost */.p9)(host, [env], '-e', 'Looking for the compose .env');
        return found.includes(env) ? [`${env} (the database password and SeaTable's other secrets)`] : [];
    },
    async restoredDirectories(host, options) {
        const present = await (0,host_files/* existingOnHost */.p9)(host, [options.root, options.composeDir, options.caddyDir, options.aiDir].filter(Boolean), '-d', 'Listing the SeaTable directories');
        return Promise.all(present.map(path => (0,host_files/* pinDirectory */.bQ)(host, path)));
    },
    dataRoot(options) {
        return options.root;
    },
    recoveryFlags(options) {
        return `--seatable-root ${(0,shell/* quote */.hD)(options.root)} (plus your db-* and compose-dir options)`;
    },
    describeOptions(options) {
        const { access, survey: _survey, ...rest } = options;
        return { ...rest, dbMode: access.mode, dbContainer: access.mode === 'docker' ? access.container : undefined, dbUser: access.user };
    },
    async readVersion(host, options) {
        return options.survey?.running ?? readSeaTableVersion(host, options);
    },
    async backup(host, options, sink, context) {
        const { logger } = context;
        const compression = options.compression === 'auto' ? 'zstd' : options.compression;
        const extension = `.tar${(0,sources_compression/* compressionExtension */.U)(compression)}`;
        const backupAll = async () => {
            if (!options.dtableDbBackup)
                return;
            const began = Date.now();
            // Without -t: the vendor's `docker exec -it` fails under cron and Actions, and the backup would silently lack fresh dtable-db data.
            await host.run((0,shell/* script */.K$)(`docker exec ${(0,shell/* quote */.hD)(options.seatableContainer)} ${SEATABLE_SCRIPT} backup-all`), { description: `dtable-db backup-all in ${options.seatableContainer}` });
            logger.info(`dtable-db: backup-all completed in ${(0,log/* formatSeconds */.Xo)(Date.now() - began)}, storage-data is fresh`);
        };
        // dtable-db's backup-all writes into the data directory, the dumps read MariaDB: they run side by side.
        // The data tarball starts once backup-all is done (it must hold the fresh storage-data) and every dump
        // holds its consistent snapshot: the files it archives are then at least as new as the databases.
        const dumps = backupDatabases(host, options, sink, compression);
        const fresh = backupAll();
        const archived = Promise.all([dumps.snapshotsTaken, fresh]).then(async () => {
            // Preflight guarantees the data and compose directories for a backup; a safety copy takes what exists.
            const present = await (0,host_files/* existingOnHost */.p9)(host, [options.root, options.composeDir, options.caddyDir, options.aiDir].filter(Boolean), '-d', 'Listing the SeaTable directories');
            if (present.includes(options.root)) {
                logger.info('data: the databases are in their snapshots and storage-data is fresh, archiving the data directory');
                await sink.addPart({ name: 'data', kind: 'tar', compression, extension }, async (out) => {
                    const snapshot = context.incremental?.snapshotFor('data');
                    const { warnings } = await (0,tar/* streamTar */.S0)(host, { cwd: options.root, paths: ['.'], excludes: options.dataExcludes.map(path => `./${path}`), compression, description: `Archive of ${options.root}`, snapshot }, out);
                    return { warnings, details: { path: options.root, excluded: options.dataExcludes }, ...(0,tar/* levelOf */.In)(snapshot) };
                });
            }
            return present;
        });
        await (0,concurrency/* allToTheEnd */.fz)([dumps.done, fresh, archived]);
        const present = await archived;
        const extras = [
            { name: 'compose', path: options.composeDir },
            { name: 'caddy', path: options.caddyDir },
            { name: 'ai', path: options.aiDir }
        ].filter(extra => extra.path && present.includes(extra.path));
        for (const extra of extras) {
            await sink.addPart({ name: extra.name, kind: 'tar', compression, extension }, async (out) => {
                const { warnings } = await (0,tar/* streamTar */.S0)(host, { cwd: extra.path, paths: ['.'], excludes: [], compression, description: `Archive of ${extra.path}` }, out);
                return { warnings, details: { path: extra.path } };
            });
        }
    },
    planRestore(options, manifest) {
        return manifest.parts.map(part => {
            if (part.kind === 'sql-dump')
                return `${part.name}: import the dump beside database ${part.name.replace(/^db-/, '')} while SeaTable runs and compare ${Object.keys(part.tables ?? {}).length} tables' row counts, then after the stop swap its tables in by RENAME TABLE, keeping the live ones in a database of their own (a database a swap cannot carry is dumped, then dropped, re-created and imported after the stop)`;
            if (part.name === 'data')
                return `data: make ${options.root} equal to the backup (except ${recordedExcludes(options, manifest).join(', ')}), then ${options.dtableDbBackup ? 'seatable.sh restore-all after the start-command' : 'no restore-all (dtable-db-backup: false)'}`;
            return `${part.name}: make ${extraDirectory(options, part.name) || '(no directory on this host)'} equal to the backup`;
        });
    },
    acceptManifest(options, manifest) {
        const problems = (0,recipe/* partKindProblems */.I6)(manifest, name => (/^db-/.test(name) ? 'sql-dump' : (0,recipe/* fixedParts */.$r)({ data: 'tar', compose: 'tar', caddy: 'tar', ai: 'tar' })(name)), 'SeaTable');
        const allowed = new Set([...SEATABLE_DATABASES, ...options.configuredDatabases]);
        for (const part of manifest.parts.filter(candidate => candidate.kind === 'sql-dump' && /^db-/.test(candidate.name))) {
            const database = part.name.slice('db-'.length);
            if (!allowed.has(database))
                problems.push(`part ${part.name}: ${JSON.stringify(database)} is neither one of SeaTable's databases (${SEATABLE_DATABASES.join(', ')}) nor listed in the \`databases\` input`);
            if (part.details?.database !== database)
                problems.push(`part ${part.name} names the database ${JSON.stringify(part.details?.database)}, not ${database}`);
        }
        for (const name of EXTRA_PARTS) {
            if (manifest.parts.some(part => part.name === name) && !extraDirectory(options, name)) {
                problems.push(`the backup has a ${name} part, but this host has no ${name} directory (${options.layout} layout): set \`${extraInput(name)}\` to where it belongs, or leave the part out with \`parts\``);
            }
        }
        if (manifest.options?.dataExcludes !== undefined)
            problems.push(...(0,recipe/* recordedPathProblems */.gy)('dataExcludes', manifest.options.dataExcludes));
        problems.push(...recordedDefaultsProblems(manifest.parts));
        return problems;
    },
    async copyBeforeImport(host, options, sink, parts) {
        // Only the databases this restore imports, and all of their rows: a safety copy never skips the log tables.
        const imported = new Set(parts.filter(part => part.kind === 'sql-dump').map(part => part.name.replace(/^db-/, '')));
        const databases = options.databases.filter(database => imported.has(database));
        if (databases.length === 0)
            return;
        const compression = options.compression === 'auto' ? 'zstd' : options.compression;
        await backupDatabases(host, { ...options, databases, skipLogTables: false }, sink, compression).done;
    },
    prepareSwap(host, options, part, context) {
        return prepareDatabaseSwap(host, options, part, context);
    },
    putBackSwapped(host, options, stamp, { logger }) {
        // Every database a restore may have swapped, whichever the databases input lists now.
        const databases = [...new Set([...SEATABLE_DATABASES, ...options.databases, ...options.configuredDatabases])];
        return putBackDatabases(host, options.access, databases, stamp, logger);
    },
    async restore(host, options, parts, manifest, { logger, swaps, prepared }) {
        const report = [];
        const byName = new Map(parts.map(part => [part.record.name, part]));
        for (const name of EXTRA_PARTS) {
            const part = byName.get(name);
            if (!part)
                continue;
            // Only this host's directory (input, detected layout or compose project): a path recorded in the backup is never used.
            const target = extraDirectory(options, name);
            if (!target)
                throw new errors/* InputError */.dz(extraInput(name), `the backup has a ${name} part, but this host has no ${name} directory.`, `set ${extraInput(name)}, or leave the part out with parts.`);
            await (0,host_swap/* replaceTree */.fu)(host, swaps, { dir: await (0,host_files/* pinDirectory */.bQ)(host, target), part, keep: [] }, `Restoring ${target}`, logger);
            report.push(`${name} restored into ${target}`);
        }
        const data = byName.get('data');
        const restoreData = async () => {
            if (!data)
                return [];
            await (0,host_swap/* replaceTree */.fu)(host, swaps, { dir: await (0,host_files/* pinDirectory */.bQ)(host, options.root), part: data, keep: recordedExcludes(options, manifest) }, `Restoring ${options.root}`, logger);
            return [`data restored into ${options.root}${data.chain ? ` (full backup and ${data.chain.length} incremental${data.chain.length > 1 ? 's' : ''})` : ''}`];
        };
        // The imports keep the database server busy and the extraction the disk and tar: side by side, both
        // finish sooner. Each runs to its end before a failure is reported, so nothing is left half-written unseen.
        const restored = await (0,concurrency/* allToTheEnd */.fz)([
            restoreDatabases(host, options, parts.filter(part => part.record.kind === 'sql-dump'), { logger, swaps, prepared }),
            restoreData()
        ]);
        report.push(...restored.flat());
        return report;
    },
    async afterStart(host, options, parts) {
        // The vendor's last step, in the running SeaTable container: a stop-command that stopped it has been undone by now.
        if (!options.dtableDbBackup || !parts.some(part => part.record.name === 'data'))
            return [];
        await host.run((0,shell/* script */.K$)(`docker exec ${(0,shell/* quote */.hD)(options.seatableContainer)} ${SEATABLE_SCRIPT} restore-all`), { description: `dtable-db restore-all in ${options.seatableContainer}` });
        return ['dtable-db: restore-all completed'];
    }
};
/** Directories restored whole beside the data, each from this host's own options. */
const EXTRA_PARTS = ['compose', 'caddy', 'ai'];
function extraDirectory(options, name) {
    return name === 'compose' ? options.composeDir : name === 'caddy' ? options.caddyDir : name === 'ai' ? options.aiDir : '';
}
function extraInput(name) {
    return name === 'ai' ? 'seatable-ai-dir' : `${name}-dir`;
}
/** The vendor's excludes as the backup recorded them (checked by acceptManifest), kept on the host by a restore of data. */
function recordedExcludes(options, manifest) {
    return manifest.options.dataExcludes ?? options.dataExcludes;
}

// EXTERNAL MODULE: ./src/sources/sqlite.ts
var sqlite = __webpack_require__(9984);
;// CONCATENATED MODULE: ./src/recipes/tabby-database.ts






/**
 * Tabby's database in a restore: written from its part, integrity-checked and counted before anything live
 * changes, then swapped in by rename (the live file and its -wal/-shm move aside together: the safety copy).
 */
const DATABASE = 'ee/db.sqlite';
const DATABASE_COMPANIONS = ['ee/db.sqlite-wal', 'ee/db.sqlite-shm', 'ee/db.sqlite-journal'];
/** Where a part staged in the restore's incoming directory is written and checked, beside that part. */
const READY_PREFIX = 'ready-';
function linkReasons(root) {
    return {
        'ee link': `${JSON.stringify(external_node_path_.posix.join(root, 'ee'))} is a symbolic link; a restore never writes through links (restore the home part too, or replace the link with a directory)`,
        'database link': `${JSON.stringify(external_node_path_.posix.join(root, DATABASE))} is a symbolic link or not a regular file; a restore never writes through links`
    };
}
/**
 * Before anything changes: a link the app's user planted where the restore will write refuses the restore.
 * ee/ as a link is replaced by the home part's ee/ when home is restored, so it refuses only without home.
 */
async function refusePlantedLinks(host, root, restoring) {
    const entry = (relative) => `"/proc/self/fd/$root"/${(0,shell/* quote */.hD)(relative)}`;
    await (0,host_files/* runPinned */.e8)(host, { root }, [
        ...(restoring.ee && !restoring.home ? [`if [ -L ${entry('ee')} ]; then selfhost_refuse ee link; fi`] : []),
        ...(restoring.db ? [`if [ -d ${entry('ee')} ] && [ ! -L ${entry('ee')} ] && [ -L ${entry(DATABASE)} ]; then selfhost_refuse database link; fi`] : [])
    ], { description: 'Looking for links where the restore writes', reasons: linkReasons(root.path) });
}
/** Writes the part decompressed to the place's file, then checks it there: integrity, and the backup's row counts. */
async function writeChecked(host, part, where, logger) {
    await (0,sqlite/* writeSqliteFile */.iN)(host, where.file, part.record.compression, (0,recipe/* partInput */.SI)(part, `Writing ${DATABASE}`, logger), [...where.create, ...where.enter]).catch(error => {
        throw where.explain(error);
    });
    const incoming = await (0,sqlite/* inspectSqlite */.jG)(host, where.file, { prelude: where.enter, label: `the incoming ${DATABASE}` }).catch(error => {
        throw where.explain(error);
    });
    (0,sqlite/* compareCounts */.G8)(part.record.tables ?? {}, incoming, 'The restored database (before it was moved into place)');
}
/**
 * While the other parts still stream in (before the stop): the database staged in the restore's incoming
 * directory is written beside it and checked there, so that after the stop only its swap remains. The
 * incoming directory is the restore's own (mode 700, beside the data or under root's place), never the app's.
 */
async function prepareDatabase(host, dataRoot, part, logger) {
    const began = Date.now();
    const tree = external_node_path_.posix.join(external_node_path_.posix.dirname(part.path), `${READY_PREFIX}${part.record.name}`);
    // Once its swap succeeded, the swap moved the directory away: nothing is left to remove.
    let swapped = false;
    const discard = async () => {
        if (swapped)
            return;
        await host.run((0,shell/* script */.K$)(`rm -rf -- ${(0,shell/* quote */.hD)(tree)}`), { description: `Removing ${tree}` }).catch(error => logger.warning(`${JSON.stringify(tree)} was not removed: ${error.message}`));
    };
    try {
        await writeChecked(host, part, { create: [`mkdir -m 700 -- ${(0,shell/* quote */.hD)(tree)}`], enter: [`cd -- ${(0,shell/* quote */.hD)(tree)}`], file: 'db.sqlite', explain: error => error }, logger);
    }
    catch (error) {
        await discard();
        throw error;
    }
    logger.info(`${part.record.name}: written beside the live data and checked in ${(0,log/* formatSeconds */.Xo)(Date.now() - began)}`);
    return {
        part: part.record.name,
        swapIn: async (swaps) => {
            // Pinned after the stop, as the restore's other swaps: the home part's swap may have replaced ee/.
            const ee = await (0,host_files/* pinChild */.sw)(host, await (0,host_files/* pinDirectory */.bQ)(host, dataRoot), 'ee');
            const line = await tabby_database_swapDatabaseIn(host, swaps, ee, part, { tree }, logger);
            swapped = true;
            return line;
        },
        discard
    };
}
/** A restore without a prepared database (parts handed over on the runner): written and checked in a staging directory in ee/, then swapped in. */
async function restoreDatabase(host, swaps, ee, part, logger) {
    const began = Date.now();
    const staging = await (0,host_files/* createStaging */.qp)(host, ee);
    try {
        await writeChecked(host, part, { create: [], enter: (0,host_files/* pinnedLines */.gK)({ staging }, 'staging'), file: 'new/db.sqlite', explain: error => (0,host_files/* explainRefusal */.GC)(error, { staging }) }, logger);
    }
    catch (error) {
        await (0,host_files/* removeStaging */.O7)(host, staging, logger);
        throw error;
    }
    logger.info(`${part.record.name}: written and checked in ${(0,log/* formatSeconds */.Xo)(Date.now() - began)}`);
    return tabby_database_swapDatabaseIn(host, swaps, ee, part, { staging }, logger);
}
/**
 * Swaps the checked database into ee/, taking the owner and mode of the file it replaces (read from that file
 * itself, never through a link; set-id bits never), then counts its rows in place. A link planted at
 * ee/db.sqlite is moved aside, never written through, and refused up front.
 */
async function tabby_database_swapDatabaseIn(host, swaps, ee, part, checked, logger) {
    const began = Date.now();
    const reasons = linkReasons(external_node_path_.posix.dirname(ee.path));
    const names = ['db.sqlite', ...DATABASE_COMPANIONS.map(companion => external_node_path_.posix.basename(companion))];
    // The owner and mode go on in the swap's own script, just before it: one round trip.
    const takeOwnerAndMode = [
        'target="/proc/self/fd/$dir/db.sqlite"; incoming="/proc/self/fd/$from/new/db.sqlite"',
        // One lstat gives type, owner and mode of the entry itself: a link swapped in meanwhile is seen for what it is.
        'if current=$(stat -c \'%F|%u:%g|%a\' -- "$target" 2>/dev/null); then',
        '  IFS="|" read -r type owner mode <<< "$current"',
        '  case "$type" in "regular file"|"regular empty file") ;; *) selfhost_refuse database link;; esac',
        '  chown -h -- "$owner" "$incoming"',
        '  chmod -- "$(printf %o "$(( 8#$mode & 8#777 ))")" "$incoming"',
        'fi'
    ];
    await swaps.swapIn({
        dir: ee,
        ...checked,
        part: part.record.name,
        undo: { kind: 'entries', names },
        description: `Moving the restored database into ${external_node_path_.posix.join(ee.path, 'db.sqlite')}`,
        before: takeOwnerAndMode,
        reasons
    });
    // Counted again in place: SQLite would replay a -wal beside the target into the restored file. The
    // integrity_check ran once, before the swap, on the very file the rename moved here.
    const inPlace = [...(0,host_files/* pinnedLines */.gK)({ ee }, 'ee'), '{ [ -f db.sqlite ] && [ ! -L db.sqlite ]; } || selfhost_refuse database link'];
    const counts = await (0,sqlite/* inspectSqlite */.jG)(host, 'db.sqlite', { prelude: inPlace, label: external_node_path_.posix.join(ee.path, 'db.sqlite'), countsOnly: true }).catch(error => {
        throw (0,host_files/* explainRefusal */.GC)(error, { ee }, reasons);
    });
    (0,sqlite/* compareCounts */.G8)(part.record.tables ?? {}, counts, `The restored ${DATABASE}`);
    logger.info(`${part.record.name}: swapped in and counted in ${(0,log/* formatSeconds */.Xo)(Date.now() - began)}`);
    return `db restored: integrity ok, ${Object.keys(counts).length} tables with the row counts of the backup`;
}

;// CONCATENATED MODULE: ./src/recipes/tabby-housekeeping.ts




/**
 * Tabby copies its database file before each migration (ee/db.backup-YYYYMMDD.sqlite). A plain copy of a
 * WAL-mode database is not a consistent backup, and the copies pile up: home leaves them out by default.
 */
const MIGRATION_COPIES = 'ee/db.backup-*.sqlite';
/**
 * TABBY_MODEL_CACHE_ROOT moves the downloaded models (default: models/ in the root). As the login user, like
 * $TABBY_ROOT. Inside the root it is excluded like models/ (answered relative to the root); elsewhere it is
 * not in the root at all.
 */
async function movedModelCache(host, root) {
    const result = await host.run('printf %s "${TABBY_MODEL_CACHE_ROOT:-}"', { asLoginUser: true, description: 'Finding the Tabby model cache' });
    const cache = external_node_path_.posix.normalize(result.stdout);
    if (!result.stdout.startsWith('/'))
        return undefined;
    const relative = external_node_path_.posix.relative(root, cache);
    return relative && !relative.startsWith('..') && !external_node_path_.posix.isAbsolute(relative) && (0,recipe/* relativePathProblem */.BE)(relative) === null ? relative : undefined;
}
/** Tabby's pre-migration copies in ee/, with their sizes: said in the summary when home leaves them out. */
async function migrationCopies(host, root) {
    const found = await host.run((0,shell/* script */.K$)(`ee=${(0,shell/* quote */.hD)(external_node_path_.posix.join(root, 'ee'))}`, '[ -d "$ee" ] || exit 0', `find "$ee" -mindepth 1 -maxdepth 1 -type f -name ${(0,shell/* quote */.hD)(external_node_path_.posix.basename(MIGRATION_COPIES))} -printf '%s\\t%f\\0'`), { description: "Looking for Tabby's pre-migration copies" });
    return found.stdout
        .split('\0')
        .filter(Boolean)
        .map(line => {
        const [bytes, ...name] = line.split('\t');
        // A file name is host output: shown in the summary, so control characters become "?".
        // eslint-disable-next-line no-control-regex -- replacing control characters is the point
        return { name: `ee/${name.join('\t').replace(/[\u0000-\u001f\u007f]/g, '?')}`, bytes: Number(bytes) };
    });
}
function leftOutLine(copies) {
    const total = copies.reduce((sum, copy) => sum + copy.bytes, 0);
    const names = copies
        .slice(0, 3)
        .map(copy => copy.name)
        .join(', ') + (copies.length > 3 ? ` and ${copies.length - 3} more` : '');
    return `left out ${copies.length} pre-migration cop${copies.length === 1 ? 'y' : 'ies'} of the database (${names}; ${(0,log/* formatBytes */.z3)(total)}): plain copies Tabby made before a migration, not consistent backups. Set tabby-keep-migration-copies: true to keep them.`;
}

;// CONCATENATED MODULE: ./src/recipes/tabby.ts















const TABBY_DEFAULT_EXCLUDES = ['models', 'index', 'repositories'];
/** Official images: tabbyml/tabby, also behind a registry prefix. */
const TABBY_IMAGE = /^(?:[^/]+\/)*tabbyml\/tabby(?:[:@]|$)/;
/** Directories that are parts of their own; `home` is everything else. */
const DIRECTORY_PARTS = { events: 'events', jobs: 'ee/jobs' };
const anchored = (relative) => `./${relative}`;
/** Paths that `home` never contains: the live database, the other parts, and the user's excludes. */
function homeExcludes(options) {
    return [DATABASE, ...DATABASE_COMPANIONS, ...Object.values(DIRECTORY_PARTS), ...(options.keepMigrationCopies ? [] : [MIGRATION_COPIES]), ...options.exclude];
}
async function resolveRoot(host, options) {
    if (options.root)
        return options.root;
    // As the login user: sudo would reset both $TABBY_ROOT and $HOME.
    const result = await host.run('printf %s "${TABBY_ROOT:-$HOME/.tabby}"', { asLoginUser: true, description: 'Finding the Tabby root' });
    return result.stdout;
}
const tabbyRecipe = {
    id: 'tabby',
    title: 'Tabby',
    makesDatabaseDumps: false,
    revision: 1,
    inputs: ['tabby-root', 'exclude', 'compression', 'host-temp-dir', 'tabby-keep-migration-copies'],
    parseOptions(raw) {
        const reader = new input_reader.InputReader(name => raw[name] ?? '');
        // A directory name may contain anything but NUL, newlines included: the path only ever reaches the host quoted.
        const root = reader.absolutePath('tabby-root', 'give the full path, e.g. /home/tabby/.tabby, or leave it empty to use $TABBY_ROOT or ~/.tabby on the host.', { multiline: true });
        const compression = (0,sources_compression/* parseCompressionChoice */.bD)(raw.compression);
        const excludeGiven = raw.exclude !== undefined && raw.exclude.trim() !== '';
        const exclude = excludeGiven ? (0,host_files/* parseRelativePaths */.gB)('exclude', raw.exclude) : [...TABBY_DEFAULT_EXCLUDES];
        const hostTempDir = reader.absolutePath('host-temp-dir', 'give a directory on the host with room for a copy of the database, e.g. /var/tmp.');
        const keepMigrationCopies = (raw['tabby-keep-migration-copies'] ?? '') === '' ? false : reader.boolean('tabby-keep-migration-copies');
        return { root, exclude, compression, hostTempDir, excludeGiven, keepMigrationCopies };
    },
    async detect(host, options) {
        const root = await resolveRoot(host, options);
        const found = await host.run(`test -f ${(0,shell/* quote */.hD)(external_node_path_.posix.join(root, DATABASE))}`, { allowFailure: true, description: 'Looking for Tabby' });
        return found.exitCode === 0 ? `found ${external_node_path_.posix.join(root, DATABASE)}` : null;
    },
    async preflight(host, options, purpose) {
        const root = await resolveRoot(host, options);
        if (!root.startsWith('/'))
            throw new errors/* PreflightError */.wG([`the Tabby root resolved to "${root}", which is not an absolute path`], 'set the `tabby-root` input.');
        const checks = (0,shell/* script */.K$)(`root=${(0,shell/* quote */.hD)(root)}`, 'problems=()', ...(purpose === 'backup'
            ? [
                '[ -d "$root" ] || problems+=("the Tabby root $root does not exist (set tabby-root, or TABBY_ROOT on the host)")',
                `[ ! -d "$root" ] || [ -f "$root/${DATABASE}" ] || problems+=("$root has no ${DATABASE}: is this really Tabby's root? (set tabby-root)")`,
                `[ ! -f "$root/${DATABASE}" ] || [ -r "$root/${DATABASE}" ] || problems+=("$root/${DATABASE} is not readable by $(id -un) (set sudo: true)")`,
                'command -v sqlite3 >/dev/null || { command -v python3 >/dev/null && python3 -c "import sqlite3" 2>/dev/null; } || problems+=("neither sqlite3 nor python3 with its sqlite3 module is installed (apt-get install sqlite3)")'
            ]
            : ['[ -d "$(dirname -- "$root")" ] || problems+=("the parent of $root does not exist")', ...host_files/* RESTORE_HOST_NEEDS */.Y0.map(([test, problem]) => `${test} || problems+=(${(0,shell/* quote */.hD)(problem)})`)]), 'tar --version 2>/dev/null | grep -q "GNU tar" || problems+=("GNU tar is not installed (apt-get install tar)")', 'if [ ${#problems[@]} -gt 0 ]; then printf \'%s\\n\' "${problems[@]}"; fi');
        // Side by side: a backup's fixed cost is the slowest of these round trips, not their sum. The host's
        // problems are reported first, as when they ran one after another.
        const [checked, chosen, moved] = await Promise.allSettled([
            host.run(checks, { description: 'Checking the host' }),
            options.compression === 'auto' || purpose === 'backup' ? (0,sources_compression/* resolveCompression */.$o)(host, options.compression) : Promise.resolve(options.compression),
            purpose === 'backup' && !options.excludeGiven ? movedModelCache(host, root) : Promise.resolve(undefined)
        ]);
        const result = (0,concurrency/* settled */.gu)(checked);
        const problems = result.stdout.split('\n').filter(Boolean);
        if (problems.length > 0)
            throw new errors/* PreflightError */.wG(problems, 'fix the problems above; nothing was changed.');
        const compression = (0,concurrency/* settled */.gu)(chosen);
        const cache = (0,concurrency/* settled */.gu)(moved);
        const exclude = cache && !options.exclude.includes(cache) ? [...options.exclude, cache] : options.exclude;
        return { ...options, root, compression, exclude };
    },
    async restoredDirectories(host, options) {
        const root = await (0,host_files/* pinDirectory */.bQ)(host, options.root);
        return [root, await (0,host_files/* pinChild */.sw)(host, root, 'ee')];
    },
    dataRoot(options) {
        return options.root;
    },
    recoveryFlags(options) {
        return `--tabby-root ${(0,shell/* quote */.hD)(options.root)}`;
    },
    describeOptions(options) {
        return { root: options.root, exclude: options.exclude, compression: options.compression, keepMigrationCopies: options.keepMigrationCopies };
    },
    async readVersion(host, options) {
        // One Tabby container is Tabby's; with several, which one uses this root cannot be told from here.
        const [images, schema] = await Promise.all([runningImages(host, TABBY_IMAGE), (0,sqlite/* newestSqlxMigration */.R4)(host, external_node_path_.posix.join(options.root, DATABASE))]);
        const image = images.length === 1 ? images[0] : undefined;
        return { ...(image ? { image, version: (0,app_version/* versionFromImage */.Qr)(image) } : {}), ...(schema !== undefined ? { schema } : {}) };
    },
    async backup(host, options, sink, context) {
        const compression = options.compression === 'auto' ? 'zstd' : options.compression;
        const extension = (0,sources_compression/* compressionExtension */.U)(compression);
        const [present, copies] = await Promise.all([
            existingPaths(host, options.root, [DATABASE, ...Object.values(DIRECTORY_PARTS)]),
            options.keepMigrationCopies ? Promise.resolve([]) : migrationCopies(host, options.root)
        ]);
        // The parts read different files of the root: side by side, the tarballs stream while SQLite takes its
        // snapshot. They start in the manifest's order (db, events, jobs, home), and each runs to its end.
        const parts = [];
        // Preflight guarantees the database for a backup; only a safety copy of a damaged root can lack it.
        if (present.includes(DATABASE)) {
            parts.push(sink.addPart({ name: 'db', kind: 'sqlite', compression, extension: `.sqlite${extension}` }, async (out) => {
                const snapshot = await (0,sqlite/* snapshotSqlite */.BI)(host, external_node_path_.posix.join(options.root, DATABASE), compression, out, options.hostTempDir);
                return { tables: snapshot.tables, details: { path: DATABASE } };
            }));
        }
        for (const [name, relative] of Object.entries(DIRECTORY_PARTS)) {
            const paths = present.includes(relative) ? [anchored(relative)] : [];
            parts.push(sink.addPart({ name, kind: 'tar', compression, extension: `.tar${extension}` }, async (out) => {
                const snapshot = context.incremental?.snapshotFor(name);
                const { warnings } = await (0,tar/* streamTar */.S0)(host, { cwd: options.root, paths, excludes: [], compression, description: `Archive of ${relative}`, snapshot }, out);
                return { warnings, details: { path: relative, present: paths.length > 0 }, ...(0,tar/* levelOf */.In)(snapshot) };
            }));
        }
        if (copies.length > 0)
            context.logger.info(`home: ${leftOutLine(copies)}`);
        parts.push(sink.addPart({ name: 'home', kind: 'tar', compression, extension: `.tar${extension}` }, async (out) => {
            const excludes = homeExcludes(options).map(anchored);
            const snapshot = context.incremental?.snapshotFor('home');
            const { warnings } = await (0,tar/* streamTar */.S0)(host, { cwd: options.root, paths: ['.'], excludes, compression, description: 'Archive of the rest of the Tabby root', snapshot }, out);
            return { warnings, details: { excluded: homeExcludes(options), ...(copies.length > 0 ? { leftOut: [leftOutLine(copies)] } : {}) }, ...(0,tar/* levelOf */.In)(snapshot) };
        }));
        await (0,concurrency/* allToTheEnd */.fz)(parts);
    },
    planRestore(options, manifest) {
        const root = options.root || '(the Tabby root on the host)';
        return manifest.parts.map(part => {
            switch (part.name) {
                case 'db':
                    return `db: replace ${root}/${DATABASE} by rename (the live file and its -wal/-shm move aside) with a copy written beside the data and checked before the stop (integrity_check, row counts of ${Object.keys(part.tables ?? {}).length} tables), counted again in place`;
                case 'home':
                    return `home: replace everything in ${root} except ${homeExcludes(options).join(', ')}`;
                default:
                    return `${part.name}: replace ${root}/${DIRECTORY_PARTS[part.name] ?? part.name}`;
            }
        });
    },
    acceptManifest(_options, manifest) {
        const problems = (0,recipe/* partKindProblems */.I6)(manifest, (0,recipe/* fixedParts */.$r)({ db: 'sqlite', events: 'tar', jobs: 'tar', home: 'tar' }), 'Tabby');
        // The recorded excludes are kept on the host by a restore of home: never absolute, never "..".
        if (manifest.options?.exclude !== undefined)
            problems.push(...(0,recipe/* recordedPathProblems */.gy)('exclude', manifest.options.exclude));
        return problems;
    },
    prepareSwap(host, options, part, { logger }) {
        // Written and checked while the other parts still stream in: after the stop, only renames remain.
        return part.record.name === 'db' && part.on === 'host' ? prepareDatabase(host, options.root, part, logger) : Promise.resolve(undefined);
    },
    async restore(host, options, parts, manifest, { logger, swaps, prepared }) {
        const byName = new Map(parts.map(part => [part.record.name, part]));
        const report = [];
        const root = await (0,host_files/* pinDirectory */.bQ)(host, options.root);
        const home = byName.get('home');
        await refusePlantedLinks(host, root, { home: home !== undefined, ee: byName.has('jobs') || byName.has('db'), db: byName.has('db') });
        if (home) {
            // As the backup left them out: what it did not hold stays on the host.
            const recorded = { exclude: manifest.options.exclude ?? options.exclude, keepMigrationCopies: manifest.options.keepMigrationCopies === true };
            const kept = homeExcludes(recorded);
            await (0,host_swap/* replaceTree */.fu)(host, swaps, { dir: root, part: home, keep: kept }, 'Restoring the rest of the Tabby root', logger);
            report.push('home restored');
        }
        for (const [name, relative] of Object.entries(DIRECTORY_PARTS)) {
            const part = byName.get(name);
            if (!part)
                continue;
            const parent = relative.includes('/') ? await (0,host_files/* pinChild */.sw)(host, root, external_node_path_.posix.dirname(relative)) : root;
            await (0,host_swap/* replaceDirectory */.QY)(host, swaps, { parent, name: external_node_path_.posix.basename(relative), relative, part }, logger);
            report.push(`${name} restored into ${relative}`);
        }
        const db = byName.get('db');
        const ready = prepared.get('db');
        if (ready)
            report.push(await ready.swapIn(swaps));
        else if (db)
            report.push(await restoreDatabase(host, swaps, await (0,host_files/* pinChild */.sw)(host, root, 'ee'), db, logger));
        return report;
    }
};
async function existingPaths(host, root, relatives) {
    const found = await (0,host_files/* existingOnHost */.p9)(host, relatives.map(relative => external_node_path_.posix.join(root, relative)), '-e', 'Listing the Tabby root');
    return relatives.filter(relative => found.includes(external_node_path_.posix.join(root, relative)));
}

;// CONCATENATED MODULE: ./src/recipes/registry.ts



/** Every supported application, in the order `app: auto` tries them. */
const RECIPES = [tabbyRecipe, seatableRecipe];
const APP_CHOICES = ['auto', ...RECIPES.map(recipe => recipe.id)];
function recipeById(id, input = 'app') {
    const recipe = RECIPES.find(candidate => candidate.id === id);
    if (!recipe) {
        throw new errors/* InputError */.dz(input, `"${id}" is not a supported application.`, `use one of: ${APP_CHOICES.join(', ')}.`);
    }
    return recipe;
}
/** The recipes a run may use, each with its options parsed once: the named app, or with `auto` every recipe (detection picks one). */
function chooseRecipes(app, inputs) {
    return (app === 'auto' ? RECIPES : [recipeById(app)]).map(recipe => ({ recipe, options: recipe.parseOptions(inputs) }));
}
/** The only candidate, or with `app: auto` the one recipe that recognises the host. */
async function detectRecipe(host, candidates) {
    if (candidates.length === 1)
        return { ...candidates[0], evidence: 'set by app' };
    const found = [];
    for (const candidate of candidates) {
        const evidence = await candidate.recipe.detect(host, candidate.options);
        if (evidence)
            found.push({ ...candidate, evidence });
    }
    if (found.length === 1)
        return found[0];
    if (found.length === 0) {
        throw new errors/* InputError */.dz('app', `no supported application was found on ${host.label}.`, `set \`app\` to one of ${RECIPES.map(recipe => recipe.id).join(', ')} and its root input (e.g. tabby-root).`);
    }
    throw new errors/* InputError */.dz('app', `several applications were found on ${host.label}: ${found.map(item => `${item.recipe.id} (${item.evidence})`).join('; ')}.`, 'set `app` to the one to back up.');
}


/***/ }),

/***/ 2328:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $o: () => (/* binding */ resolveCompression),
/* harmony export */   U: () => (/* binding */ compressionExtension),
/* harmony export */   bD: () => (/* binding */ parseCompressionChoice),
/* harmony export */   pN: () => (/* binding */ decompressCommand),
/* harmony export */   wU: () => (/* binding */ decompressing),
/* harmony export */   wu: () => (/* binding */ compressCommand)
/* harmony export */ });
/* unused harmony export COMPRESSION_CHOICES */
/* harmony import */ var _kernel_shell_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(151);
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2386);


const COMPRESSION_CHOICES = ['auto', 'zstd', 'gzip', 'none'];
/** The `compression` input: empty means auto. */
function parseCompressionChoice(value) {
    const choice = (value || 'auto');
    if (!COMPRESSION_CHOICES.includes(choice)) {
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz('compression', `"${choice}" is not supported.`, `use one of: ${COMPRESSION_CHOICES.join(', ')}.`);
    }
    return choice;
}
/** Host-side compressor as shell text; zstd uses every core because the host, not the runner, is the bottleneck. */
function compressCommand(compression) {
    switch (compression) {
        case 'zstd':
            return 'zstd -q -T0 -3 -c';
        case 'gzip':
            return 'gzip -c -6';
        case 'none':
            return 'cat';
    }
}
function decompressCommand(compression) {
    switch (compression) {
        case 'zstd':
            return 'zstd -q -d -c';
        case 'gzip':
            return 'gzip -d -c';
        case 'none':
            return 'cat';
    }
}
/** Shell text that writes the part's decompressed bytes to stdout, and the stream to send as stdin (none for a host file). */
function decompressing(compression, input) {
    if ('hostFile' in input)
        return { text: `${decompressCommand(compression)} < ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_1__/* .quote */ .hD)(input.hostFile)}` };
    return { text: decompressCommand(compression), stdin: input };
}
function compressionExtension(compression) {
    return { zstd: '.zst', gzip: '.gz', none: '' }[compression];
}
/** `auto` picks zstd when the host has it, else gzip; an explicit choice must be installed. */
async function resolveCompression(host, wanted) {
    if (wanted === 'none')
        return 'none';
    const probe = await host.run('command -v zstd >/dev/null && echo zstd; command -v gzip >/dev/null && echo gzip; true', {
        description: 'Looking for zstd and gzip on the host'
    });
    const available = probe.stdout.split('\n').filter(Boolean);
    if (wanted === 'auto') {
        if (available.includes('zstd'))
            return 'zstd';
        if (available.includes('gzip'))
            return 'gzip';
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .PreflightError */ .wG(['neither zstd nor gzip is installed on the host'], 'install zstd (apt-get install zstd) or set `compression: none`.');
    }
    if (!available.includes(wanted)) {
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .PreflightError */ .wG([`${wanted} is not installed on the host`], `install it (apt-get install ${wanted}) or set \`compression: auto\`.`);
    }
    return wanted;
}


/***/ }),

/***/ 87:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   BZ: () => (/* binding */ recordedDefaults),
/* harmony export */   EK: () => (/* binding */ describeDefaults),
/* harmony export */   Jg: () => (/* binding */ sameDefaults),
/* harmony export */   Sz: () => (/* binding */ FALLBACK_DEFAULTS),
/* harmony export */   iq: () => (/* binding */ defaultsFromServer),
/* harmony export */   o6: () => (/* binding */ defaultsProblem),
/* harmony export */   sr: () => (/* binding */ versionFromServer)
/* harmony export */ });
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2386);

/** What every restore used before backups recorded the defaults, and what one still uses for such a backup. */
const FALLBACK_DEFAULTS = { characterSet: 'utf8mb4', collation: 'utf8mb4_unicode_ci' };
/** Character set and collation names are plain words; anything else is refused before it reaches SQL. */
const CHARSET_NAME = /^[A-Za-z0-9_]{1,64}$/;
/** A value from a manifest, shown in a message: quoted, escaped and cut short. */
function shown(value) {
    if (typeof value !== 'string')
        return value === undefined ? 'missing' : `a ${value === null ? 'null' : typeof value}`;
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}
/** Why `value` (read back from a manifest or a host) is not a usable DatabaseDefaults; undefined when it is. */
function defaultsProblem(value) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
        return 'the recorded defaults are not an object with characterSet and collation';
    const { characterSet, collation, ...rest } = value;
    const names = [
        ['character set', characterSet],
        ['collation', collation]
    ];
    for (const [what, name] of names) {
        if (typeof name !== 'string' || !CHARSET_NAME.test(name))
            return `the recorded default ${what} (${shown(name)}) is not a name of letters, digits and "_"`;
    }
    if (Object.keys(rest).length > 0)
        return `the recorded defaults hold unknown fields (${Object.keys(rest).slice(0, 3).map(shown).join(', ')})`;
    return undefined;
}
/** A part's recorded defaults (details.defaults); undefined for a backup made before they were recorded. Throws when malformed. */
function recordedDefaults(record) {
    const value = record.details?.defaults;
    if (value === undefined)
        return undefined;
    const problem = defaultsProblem(value);
    if (problem)
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .VerificationError */ .mk(`Part ${record.name}: ${problem}.`, 'restore a backup made by selfhost-backup; this manifest was altered.');
    const { characterSet, collation } = value;
    return { characterSet, collation };
}
function describeDefaults(defaults) {
    return `collation ${defaults.collation} (character set ${defaults.characterSet})`;
}
/** A server's hex answer as names: each must be a plain name, however the host answered. */
function defaultsFromServer(characterSetHex, collationHex, database) {
    const defaults = { characterSet: Buffer.from(characterSetHex ?? '', 'hex').toString('utf8'), collation: Buffer.from(collationHex ?? '', 'hex').toString('utf8') };
    const problem = defaultsProblem(defaults);
    if (problem)
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .VerificationError */ .mk(`The database server reported defaults for ${database} that are not plain names: ${problem.replace('the recorded', 'the')}.`);
    return defaults;
}
/** Names as the server compares them: without regard to case. */
function sameDefaults(expected, actual) {
    return actual !== undefined && expected.characterSet.toLowerCase() === actual.characterSet.toLowerCase() && expected.collation.toLowerCase() === actual.collation.toLowerCase();
}
/** A server's hex VERSION() answer, kept to the characters a version holds: it is the target host's text, bound for a log line. */
function versionFromServer(hex) {
    const text = Buffer.from(hex ?? '', 'hex').toString('utf8');
    return text.replace(/[^A-Za-z0-9.+~_-]/g, '').slice(0, 60) || 'version unknown';
}


/***/ }),

/***/ 504:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Ag: () => (/* binding */ describeAccess),
/* harmony export */   DD: () => (/* binding */ importDatabase),
/* harmony export */   Lb: () => (/* binding */ checkInventory),
/* harmony export */   OP: () => (/* binding */ inventoryDatabase),
/* harmony export */   Oe: () => (/* binding */ mysqlString),
/* harmony export */   Wt: () => (/* binding */ runSql),
/* harmony export */   Z9: () => (/* binding */ inventoryDatabases),
/* harmony export */   c4: () => (/* binding */ mysqlIdentifier),
/* harmony export */   lt: () => (/* binding */ inventoryProblems),
/* harmony export */   m3: () => (/* binding */ dumpDatabase),
/* harmony export */   ou: () => (/* binding */ defaultsSupport)
/* harmony export */ });
/* unused harmony exports optionFileLines, clientCommand, DUMP_OPTIONS */
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2386);
/* harmony import */ var _kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(151);
/* harmony import */ var _compression_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2328);
/* harmony import */ var _mysql_defaults_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(87);





/**
 * Runs inside the container (or on the host for the direct and socket modes): reads the three lines of a client
 * option file from stdin, then runs the client with that file as an anonymous pipe (bash process
 * substitution), so the password is never in an argv, an environment or a file. The rest of stdin is
 * the client's own input. MariaDB 11 dropped the mysql* names; older images only have them.
 */
const CLIENT_WRAPPER = [
    'IFS= read -r option_1; IFS= read -r option_2; IFS= read -r option_3',
    'program=$(command -v "$1" || command -v "$2") || { echo "selfhost-backup: neither $1 nor $2 is installed where the database runs" >&2; exit 127; }',
    'shift 2',
    'exec "$program" --defaults-extra-file=<(printf "%s\\n" "$option_1" "$option_2" "$option_3") "$@"'
].join('\n');
const TOOLS = { dump: ['mariadb-dump', 'mysqldump'], client: ['mariadb', 'mysql'] };
/** A MySQL string literal: backslash and quote escaped (the server's default sql_mode reads backslashes as escapes). */
function mysqlString(value) {
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
/** A MySQL identifier in backticks, a backtick doubled. */
function mysqlIdentifier(name) {
    return `\`${name.replace(/`/g, '``')}\``;
}
/** Option-file value syntax: double-quoted with backslash escapes. */
function optionValue(value) {
    return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
function optionFileLines(access) {
    if (/[\r\n\0]/.test(access.password) || /[\r\n\0]/.test(access.user)) {
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .VerificationError */ .mk('The database user or password contains a line break or NUL, which a client option file cannot hold.', 'use a password without line breaks.');
    }
    return `[client]\nuser=${optionValue(access.user)}\npassword=${optionValue(access.password)}\n`;
}
function connectionArguments(access, tool) {
    if (access.mode === 'direct')
        return [`--host=${access.host}`, `--port=${access.port}`, '--protocol=tcp'];
    if (access.mode === 'docker')
        return [];
    // The socket form loads dumps nobody vouches for: the client library sends a runner file for LOAD DATA LOCAL unless told not to.
    return [`--socket=${access.socket}`, '--protocol=socket', ...(tool === 'client' ? ['--local-infile=0'] : [])];
}
/** Shell text that runs a database tool with the option file read from the first three stdin lines. */
function clientCommand(access, tool, args) {
    const wrapped = ['bash', '-c', CLIENT_WRAPPER, 'selfhost-backup-client', ...TOOLS[tool], ...connectionArguments(access, tool), ...args];
    return access.mode === 'docker' ? (0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .command */ .G5)(['docker', 'exec', '-i', access.container, ...wrapped]) : (0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .command */ .G5)(wrapped);
}
/** Host script prologue: keep the option lines in shell variables (builtins only: no argv) to re-send them. */
const READ_OPTIONS = 'IFS= read -r option_1; IFS= read -r option_2; IFS= read -r option_3';
const SEND_OPTIONS = 'printf "%s\\n" "$option_1" "$option_2" "$option_3"';
/**
 * Runs SQL text through the client and returns its tab-separated output: raw, or with `escaped` the client's
 * own escapes of a line break, tab, NUL and backslash inside a value, so a multi-line value stays on its row.
 */
async function runSql(host, access, sql, database, output = 'raw') {
    const args = ['--batch', '--skip-column-names', ...(output === 'raw' ? ['--raw'] : []), '--default-character-set=utf8mb4', ...(database ? [`--database=${database}`] : [])];
    const result = await host.run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .script */ .K$)(clientCommand(access, 'client', args)), {
        stdin: `${optionFileLines(access)}${sql}\n`,
        description: `SQL on ${describeAccess(access)}`
    });
    return result.stdout;
}
/**
 * mysqldump writes its header, then starts the consistent snapshot (--single-transaction), then dumps: the
 * first section after the header (a table, the routines or the events, with --comments) proves the snapshot
 * is taken. The watcher says so on stderr once and then reads on to the end, so tee never meets a closed pipe.
 */
const SNAPSHOT_MARK = 'selfhost-backup-snapshot-taken';
const SNAPSHOT_WATCH = `if grep -q -m 1 -E '^-- (Table structure for table|Dumping routines for database|Dumping events for database) '; then echo ${SNAPSHOT_MARK} >&2; fi; cat > /dev/null`;
const DUMP_OPTIONS = ['--single-transaction', '--quick', '--routines', '--triggers', '--events', '--hex-blob', '--default-character-set=utf8mb4', '--add-drop-table', '--comments'];
/**
 * One database dumped consistently and compressed on the host, streamed to `out`. The dump counts as
 * complete only if every stage exited 0 and the client's own "-- Dump completed" trailer arrived.
 */
async function dumpDatabase(host, access, database, options, out) {
    const args = [...DUMP_OPTIONS, ...options.ignoreTableData.map(table => `--ignore-table-data=${database}.${table}`), '--', database];
    const text = (0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .script */ .K$)(READ_OPTIONS, `{ ${SEND_OPTIONS}; } | ${clientCommand(access, 'dump', args)} | tee >(tail -c 300 | sed 's/^/selfhost-backup-trailer: /' >&2) >(${SNAPSHOT_WATCH}) | ${(0,_compression_js__WEBPACK_IMPORTED_MODULE_2__/* .compressCommand */ .wu)(options.compression)}`);
    // The watcher prints its mark once.
    const onStderrLine = (line) => {
        if (line === SNAPSHOT_MARK)
            options.onSnapshot?.();
    };
    const result = await host.run(text, { stdin: optionFileLines(access), stdout: out, description: `Dump of ${database}`, onStderrLine });
    const trailer = result.stderr
        .split('\n')
        .filter(line => line.startsWith('selfhost-backup-trailer: '))
        .join('\n');
    if (!/-- Dump completed/.test(trailer)) {
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .HostCommandError */ .MK(`Dump of ${database}`, 0, result.stderr, 'the dump ended without its "-- Dump completed" trailer: it is truncated. Check the database server log and free space, then re-run.');
    }
}
/**
 * Drops and re-creates `database` with `defaults` (the ones the backup recorded), then imports a
 * (compressed) dump from `input` into it. The defaults decide the "Database Collation" that the dump's
 * routines, triggers and events are created under, and that of tables created later; a backup that
 * recorded none gets the fixed utf8mb4_unicode_ci of the versions before, and a note that says so.
 */
async function importDatabase(host, access, database, compression, input, defaults) {
    // Checked here too, whatever the caller did: the names reach SQL text, and nothing is dropped before they pass.
    const problem = defaults === undefined ? undefined : (0,_mysql_defaults_js__WEBPACK_IMPORTED_MODULE_3__/* .defaultsProblem */ .o6)(defaults);
    if (problem)
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .VerificationError */ .mk(`Database ${database}: ${problem}; nothing was dropped.`, 'restore a backup made by selfhost-backup; this manifest was altered.');
    const used = defaults ?? _mysql_defaults_js__WEBPACK_IMPORTED_MODULE_3__/* .FALLBACK_DEFAULTS */ .Sz;
    const identifier = mysqlIdentifier(database);
    await runSql(host, access, `DROP DATABASE IF EXISTS ${identifier}; CREATE DATABASE ${identifier} CHARACTER SET ${mysqlIdentifier(used.characterSet)} COLLATE ${mysqlIdentifier(used.collation)};`);
    const dump = (0,_compression_js__WEBPACK_IMPORTED_MODULE_2__/* .decompressing */ .wU)(compression, input);
    const text = (0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .script */ .K$)(READ_OPTIONS, `{ ${SEND_OPTIONS}; ${dump.text}; } | ${clientCommand(access, 'client', ['--binary-mode', `--database=${database}`])}`);
    // The option lines (the password) always come first on stdin; the dump follows them there or comes from a host file.
    const stdin = new node_stream__WEBPACK_IMPORTED_MODULE_0__.PassThrough();
    if (dump.stdin) {
        stdin.write(optionFileLines(access));
        dump.stdin.pipe(stdin);
    }
    else {
        stdin.end(optionFileLines(access));
    }
    await host.run(text, { stdin, description: `Import of ${database}` });
    return defaults ? { defaults: used } : { defaults: used, note: `no recorded default collation; created with ${_mysql_defaults_js__WEBPACK_IMPORTED_MODULE_3__/* .FALLBACK_DEFAULTS */ .Sz.collation}` };
}
/**
 * Asks the server about each pair of (already validated) names, answered by position: nothing of a name
 * comes back. MariaDB 10.10+ lists UCA 14 collations by a short name beside their character set
 * (uca1400_ai_ci with utf8mb4), so a full name matches either form.
 */
async function defaultsSupport(host, access, pairs) {
    const applicable = (collation) => `FROM information_schema.collation_character_set_applicability WHERE (collation_name = ${collation} OR CONCAT(character_set_name, '_', collation_name) = ${collation})`;
    const questions = pairs.map((pair, index) => {
        const [characterSet, collation] = [mysqlString(pair.characterSet), mysqlString(pair.collation)];
        return [
            `SELECT 'pair', ${index},`,
            `(SELECT COUNT(*) FROM information_schema.character_sets WHERE character_set_name = ${characterSet}),`,
            `(SELECT COUNT(*) ${applicable(collation)}),`,
            `(SELECT COUNT(*) ${applicable(collation)} AND character_set_name = ${characterSet});`
        ].join(' ');
    });
    const answer = await runSql(host, access, ["SELECT 'version', HEX(VERSION());", ...questions].join('\n'));
    const support = { version: 'version unknown', pairs: pairs.map(() => ({ characterSet: false, collation: false, together: false })) };
    for (const line of answer.split('\n').filter(Boolean)) {
        const [kind, ...values] = line.split('\t');
        if (kind === 'version')
            support.version = (0,_mysql_defaults_js__WEBPACK_IMPORTED_MODULE_3__/* .versionFromServer */ .sr)(values[0]);
        const pair = kind === 'pair' ? support.pairs[Number(values[0])] : undefined;
        if (pair)
            [pair.characterSet, pair.collation, pair.together] = values.slice(1, 4).map(count => Number(count) > 0);
    }
    return support;
}
/** Exact row count of every base table, the routine/trigger/event/view counts a dump must carry, and the database's defaults. */
async function inventoryDatabase(host, access, database) {
    return (await inventoryDatabases(host, access, [database]))[0];
}
/** inventoryDatabase for several databases in one round trip, in the order given. */
async function inventoryDatabases(host, access, databases) {
    if (databases.length === 0)
        return [];
    const listing = await runSql(host, access, databases.map(inventorySql).join('\n'));
    const inventories = databases.map(() => ({ tables: {}, objects: { routines: 0, triggers: 0, events: 0, views: 0 }, defaults: undefined }));
    for (const line of listing.split('\n').filter(Boolean)) {
        // Answered by position in the list, never by name: nothing of a database's name comes back.
        const [position, kind, value, more] = line.split('\t');
        const inventory = inventories[Number(position)];
        if (!inventory)
            continue;
        if (kind === 'count')
            inventory.tables[Buffer.from(value, 'hex').toString('utf8')] = Number(more);
        else if (kind === 'defaults')
            inventory.defaults = (0,_mysql_defaults_js__WEBPACK_IMPORTED_MODULE_3__/* .defaultsFromServer */ .iq)(value, more, databases[Number(position)]);
        else if (kind in inventory.objects)
            inventory.objects[kind] = Number(value);
    }
    return inventories.map(({ defaults, ...rest }) => ({ ...rest, ...(defaults ? { defaults } : {}) }));
}
/**
 * One database's part of the round trip: the object counts and the defaults, then every base table's exact
 * row count from one statement the server builds from its own table list (each name quoted as an identifier
 * there, its backticks doubled), so the names need no trip of their own. They come back as hex: a table
 * name may hold a tab or a line break, which would split the tab-separated output. Each row starts with
 * the database's position.
 */
function inventorySql(database, position) {
    const literal = mysqlString(database);
    const countOne = `CONCAT('SELECT ${position}, ''count'', ''', HEX(table_name), ''', COUNT(*) FROM \`', REPLACE(table_schema, '\`', '\`\`'), '\`.\`', REPLACE(table_name, '\`', '\`\`'), '\`')`;
    return [
        `SELECT ${position}, 'routines', COUNT(*) FROM information_schema.routines WHERE routine_schema = ${literal};`,
        `SELECT ${position}, 'triggers', COUNT(*) FROM information_schema.triggers WHERE trigger_schema = ${literal};`,
        `SELECT ${position}, 'events', COUNT(*) FROM information_schema.events WHERE event_schema = ${literal};`,
        `SELECT ${position}, 'views', COUNT(*) FROM information_schema.views WHERE table_schema = ${literal};`,
        `SELECT ${position}, 'defaults', HEX(default_character_set_name), HEX(default_collation_name) FROM information_schema.schemata WHERE schema_name = ${literal};`,
        // The default limit (1 MB; 1 KB on old servers) would cut the statement of a database with many tables.
        'SET SESSION group_concat_max_len = 1073741824;',
        `SET @selfhost_backup_counts = (SELECT GROUP_CONCAT(${countOne} SEPARATOR ' UNION ALL ') FROM information_schema.tables WHERE table_schema = ${literal} AND table_type = 'BASE TABLE');`,
        // A database without tables has nothing to count: a statement that answers nothing.
        "SET @selfhost_backup_counts = COALESCE(@selfhost_backup_counts, 'DO 0');",
        'PREPARE selfhost_backup_counts FROM @selfhost_backup_counts;',
        'EXECUTE selfhost_backup_counts;',
        'DEALLOCATE PREPARE selfhost_backup_counts;'
    ].join('\n');
}
function describeAccess(access) {
    if (access.mode === 'docker')
        return `container ${access.container}`;
    return access.mode === 'direct' ? `${access.host}:${access.port}` : `socket ${access.socket}`;
}
function checkInventory(database, record, actual) {
    const problems = inventoryProblems(record, actual);
    if (problems.length > 0) {
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .VerificationError */ .mk(`The restored database ${database} does not match the manifest: ${problems.join('; ')}.`, 'the safety copy holds the data from before the restore.');
    }
}
/** Where a database differs from what its backup recorded: row counts, tables, objects and defaults, one phrase each. */
function inventoryProblems(record, actual) {
    const expected = record.tables ?? {};
    const ranges = (record.details?.rowCountRanges ?? {});
    const objects = (record.details?.objects ?? {});
    const problems = [];
    for (const [table, rows] of Object.entries(expected)) {
        const got = actual.tables[table];
        const [low, high] = ranges[table] ?? [rows, rows];
        if (got === undefined)
            problems.push(`table ${table} is missing`);
        else if (got < low || got > high)
            problems.push(`table ${table} has ${got} rows, the backup had ${low === high ? low : `${low}-${high}`}`);
    }
    for (const table of Object.keys(actual.tables))
        if (!(table in expected))
            problems.push(`table ${table} is not in the backup`);
    for (const [kind, count] of Object.entries(objects)) {
        const got = actual.objects[kind];
        if (got !== count)
            problems.push(`${count} ${kind} expected, ${got} found`);
    }
    const defaults = (0,_mysql_defaults_js__WEBPACK_IMPORTED_MODULE_3__/* .recordedDefaults */ .BZ)(record);
    if (defaults && !(0,_mysql_defaults_js__WEBPACK_IMPORTED_MODULE_3__/* .sameDefaults */ .Jg)(defaults, actual.defaults))
        problems.push(`default ${(0,_mysql_defaults_js__WEBPACK_IMPORTED_MODULE_3__/* .describeDefaults */ .EK)(defaults)} expected, ${actual.defaults ? (0,_mysql_defaults_js__WEBPACK_IMPORTED_MODULE_3__/* .describeDefaults */ .EK)(actual.defaults) : 'none (the database is missing)'} found`);
    return problems;
}


/***/ }),

/***/ 9984:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   BI: () => (/* binding */ snapshotSqlite),
/* harmony export */   G8: () => (/* binding */ compareCounts),
/* harmony export */   R4: () => (/* binding */ newestSqlxMigration),
/* harmony export */   iN: () => (/* binding */ writeSqliteFile),
/* harmony export */   jG: () => (/* binding */ inspectSqlite)
/* harmony export */ });
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2386);
/* harmony import */ var _kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(151);
/* harmony import */ var _kernel_concurrency_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(490);
/* harmony import */ var _compression_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2328);




/** Builds "SELECT 'name' AS t, count(*) AS n FROM "name" UNION ALL …" inside SQLite, so odd table names stay quoted. */
const COUNT_QUERY_BUILDER = "SELECT group_concat('SELECT ' || quote(name) || ' AS t, count(*) AS n FROM \"' || replace(name, '\"', '\"\"') || '\"', ' UNION ALL ') " +
    "FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
/** Shell functions shared by snapshot and verification: integrity check and row counts as JSON on stdout. */
const CHECK_FUNCTIONS_CLI = [
    'check_db() {',
    '  if [ "${2:-check}" = check ]; then',
    '    local result; result=$(sqlite3 -batch -bail "$1" "PRAGMA integrity_check")',
    '    if [ "$result" != ok ]; then echo "integrity_check of $1 failed: $result" >&2; exit 3; fi',
    '  fi',
    `  local query; query=$(sqlite3 -batch -bail "$1" ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .hD)(COUNT_QUERY_BUILDER)})`,
    '  local counts=""; if [ -n "$query" ]; then counts=$(sqlite3 -batch -bail -json "$1" "$query"); fi',
    '  printf \'{"integrity":"ok","tables":%s}\\n\' "${counts:-[]}"',
    '}'
];
const PYTHON_SNAPSHOT = `
import json, sqlite3, sys
mode, source = sys.argv[1], sys.argv[2]
if mode == "snapshot":
    target = sys.argv[3]
    src = sqlite3.connect(source, timeout=60)
    dst = sqlite3.connect(target)
    # One step (pages=-1) copies everything inside a single read transaction: consistent, and it
    # cannot be restarted forever by concurrent writers the way small steps can.
    src.backup(dst, pages=-1)
    dst.close(); src.close()
    sys.exit(0)
db = sqlite3.connect(source)
rows = db.execute("PRAGMA integrity_check").fetchall() if mode != "count" else [("ok",)]
if [r[0] for r in rows] != ["ok"]:
    sys.stderr.write("integrity_check of %s failed: %s\\n" % (source, rows)); sys.exit(3)
names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
tables = [{"t": n, "n": db.execute('SELECT count(*) FROM "%s"' % n.replace('"', '""')).fetchone()[0]} for n in names]
print(json.dumps({"integrity": "ok", "tables": tables}))
`;
/** Chooses the engine on the host: the sqlite3 CLI, else python3's sqlite3 module. */
function withEngine(cliLines, pythonLine) {
    return [
        'if command -v sqlite3 >/dev/null 2>&1; then',
        ...CHECK_FUNCTIONS_CLI,
        ...cliLines,
        'elif command -v python3 >/dev/null 2>&1 && python3 -c "import sqlite3" 2>/dev/null; then',
        `  ${pythonLine}`,
        'else',
        '  echo "selfhost-backup: neither the sqlite3 command nor python3 with its sqlite3 module is installed on the host" >&2; exit 127',
        'fi'
    ];
}
/**
 * A consistent online snapshot taken by SQLite itself (VACUUM INTO: one read transaction, so it
 * completes however busy the writers are), streamed compressed to `out` while integrity_check and the
 * row counts read the same file beside the stream (both from the page cache); the part is only accepted
 * once the check passed. The only host-side temp space it needs is the snapshot.
 */
async function snapshotSqlite(host, dbPath, compression, out, 
/** Where the snapshot is written on the host; empty: $TMPDIR or /tmp. */
tempDir = '') {
    const prepare = (0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__/* .script */ .K$)(`db=${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .hD)(dbPath)}`, '[ -f "$db" ] || { echo "selfhost-backup: $db does not exist" >&2; exit 4; }', tempDir ? `base=${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .hD)(tempDir)}` : 'base="${TMPDIR:-/tmp}"', 'tmp=$(mktemp -d "$base/selfhost-backup-sqlite.XXXXXXXX")', 
    // The path goes back to the runner as one line: a $TMPDIR with a line break would make it point elsewhere.
    'case "$tmp" in *$\'\\n\'*) echo "selfhost-backup: the temp path has a line break: set host-temp-dir" >&2; rm -rf -- "$tmp"; exit 5;; esac', 'trap \'rm -rf -- "$tmp"\' ERR INT TERM', ...withEngine(
    // A relative name inside the temp dir: the SQL string never holds the path, whatever characters it has.
    ['  case "$db" in /*) ;; *) db="$PWD/$db";; esac', '  (cd -- "$tmp" && sqlite3 -batch -bail "$db" ".timeout 60000" "VACUUM INTO \'snapshot.sqlite\'")'], `python3 -c ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .hD)(PYTHON_SNAPSHOT)} snapshot "$db" "$tmp/snapshot.sqlite"`), 'printf \'%s\\n\' "$tmp"');
    const prepared = await host.run(prepare, { description: `Snapshot of ${dbPath}` });
    const tmpDir = prepared.stdout.trim();
    // Only a directory of the shape mktemp made is removed again, whatever the host printed.
    // One line: without the s flag, `.` matches no line break.
    if (!/^\/.*\/selfhost-backup-sqlite\.[A-Za-z0-9]+$/.test(tmpDir))
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .HostCommandError */ .MK(`Snapshot of ${dbPath}`, 0, `unexpected answer ${JSON.stringify(tmpDir.slice(-200))}`);
    const snapshot = `${tmpDir}/snapshot.sqlite`;
    try {
        const [checked, streamed] = await Promise.allSettled([
            inspectSqlite(host, snapshot, { label: dbPath }),
            host.run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__/* .script */ .K$)(`${(0,_compression_js__WEBPACK_IMPORTED_MODULE_1__/* .compressCommand */ .wu)(compression)} < ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .hD)(snapshot)}`), { stdout: out, description: `Streaming the snapshot of ${dbPath}` })
        ]);
        (0,_kernel_concurrency_js__WEBPACK_IMPORTED_MODULE_3__/* .settled */ .gu)(streamed);
        return { tables: (0,_kernel_concurrency_js__WEBPACK_IMPORTED_MODULE_3__/* .settled */ .gu)(checked) };
    }
    finally {
        await host.run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__/* .script */ .K$)(`rm -rf -- ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .hD)(tmpDir)}`), { allowFailure: true, description: 'Removing the snapshot' }).catch(() => undefined);
    }
}
/**
 * Integrity check (unless countsOnly) and row counts of a database file on the host. `prelude` (already-quoted shell lines) runs
 * first, e.g. to pin a directory and cd into it so that `dbPath` is relative to it; `label` names the file then.
 */
async function inspectSqlite(host, dbPath, where = {}) {
    const label = where.label ?? dbPath;
    // countsOnly: for a file already integrity-checked under another name, a check that it is that file costs only the counts.
    const mode = where.countsOnly ? 'count' : 'check';
    const text = (0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__/* .script */ .K$)(...(where.prelude ?? []), `db=${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .hD)(dbPath)}`, ...withEngine([`  check_db "$db" ${mode}`], `python3 -c ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .hD)(PYTHON_SNAPSHOT)} ${mode} "$db"`));
    const result = await host.run(text, { description: `Checking ${label}` });
    return parseCheckOutput(result.stdout.trim(), label);
}
/**
 * Writes a (compressed) database from `input` to `target` on the host, decompressed, after `prelude` (see
 * inspectSqlite). noclobber: the file is created, never an existing one or a link's target written through.
 */
async function writeSqliteFile(host, target, compression, input, prelude = []) {
    const content = (0,_compression_js__WEBPACK_IMPORTED_MODULE_1__/* .decompressing */ .wU)(compression, input);
    await host.run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__/* .script */ .K$)(...prelude, 'set -o noclobber', `${content.text} > ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .hD)(target)}`), { stdin: content.stdin, description: `Writing ${target}` });
}
function compareCounts(expected, actual, what) {
    const problems = [];
    for (const [table, rows] of Object.entries(expected)) {
        if (!(table in actual))
            problems.push(`table ${table} is missing`);
        else if (actual[table] !== rows)
            problems.push(`table ${table} has ${actual[table]} rows, the backup had ${rows}`);
    }
    for (const table of Object.keys(actual))
        if (!(table in expected))
            problems.push(`table ${table} is not in the backup`);
    if (problems.length > 0) {
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .VerificationError */ .mk(`${what} does not match the manifest: ${problems.join('; ')}.`, 'the safety copy holds the data from before the restore.');
    }
}
function parseCheckOutput(line, dbPath) {
    try {
        const parsed = JSON.parse(line ?? '');
        if (parsed.integrity !== 'ok')
            throw new Error('integrity not ok');
        return Object.fromEntries(parsed.tables.map(({ t, n }) => [t, n]));
    }
    catch {
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .HostCommandError */ .MK(`Reading the check result for ${dbPath}`, null, String(line));
    }
}
/**
 * The newest successfully applied sqlx migration of the database at `dbPath` (Tabby's schema version), or
 * undefined when the file, the table or both engines are missing. Opened the way the snapshot opens it.
 */
async function newestSqlxMigration(host, dbPath) {
    const query = 'SELECT max(version) FROM _sqlx_migrations WHERE success';
    const python = 'import sqlite3, sys; row = sqlite3.connect(sys.argv[1], timeout=10).execute(sys.argv[2]).fetchone(); print(row[0] if row and row[0] is not None else "")';
    const text = (0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__/* .script */ .K$)(`db=${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .hD)(dbPath)}`, '[ -f "$db" ] || exit 0', 'if command -v sqlite3 >/dev/null 2>&1; then', `  sqlite3 -batch -bail "$db" ".timeout 10000" ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .hD)(query)} 2>/dev/null || true`, 'elif command -v python3 >/dev/null 2>&1; then', `  python3 -c ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .hD)(python)} "$db" ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .hD)(query)} 2>/dev/null || true`, 'fi');
    const result = await host.run(text, { allowFailure: true, description: `Reading the schema version of ${dbPath}` }).catch(() => undefined);
    const answer = result?.stdout.trim() ?? '';
    return /^\d{1,18}$/.test(answer) && Number.isSafeInteger(Number(answer)) ? Number(answer) : undefined;
}


/***/ }),

/***/ 5004:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   OZ: () => (/* binding */ symlinkStaysInside),
/* harmony export */   zO: () => (/* binding */ ListingTally)
/* harmony export */ });
/* unused harmony exports parseListingLine, unsafeReason */
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);

const C_ESCAPES = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34, '?': 63 };
/**
 * Reads one C-quoted string starting at `start` (which must be a double quote). The c quoting style is
 * used because it delimits names unambiguously: a name may itself contain " -> " or a newline.
 */
function readQuoted(line, start) {
    if (line[start] !== '"')
        throw new Error('expected a quoted name');
    const bytes = [];
    let at = start + 1;
    while (at < line.length && line[at] !== '"') {
        if (line[at] !== '\\') {
            bytes.push(...Buffer.from(line[at], 'utf8'));
            at++;
            continue;
        }
        const next = line[at + 1] ?? '';
        const octal = /^[0-7]{1,3}/.exec(line.slice(at + 1, at + 4));
        if (octal) {
            bytes.push(parseInt(octal[0], 8)); // non-printable or non-UTF-8 bytes arrive as octal escapes
            at += 1 + octal[0].length;
        }
        else if (next in C_ESCAPES) {
            bytes.push(C_ESCAPES[next]);
            at += 2;
        }
        else {
            throw new Error(`unknown escape \\${next}`);
        }
    }
    if (at >= line.length)
        throw new Error('unterminated quoted name');
    return { value: Buffer.from(bytes).toString('utf8'), end: at + 1 };
}
/** Parses one listing line; throws on anything it does not recognise, so an odd entry is never waved through. */
function parseListingLine(line) {
    const quoteAt = line.indexOf('"');
    if (quoteAt < 0)
        throw new Error('no quoted name');
    // Nothing before the name (mode, uid/gid, size or major,minor, date) can contain a double quote.
    const [mode = '', , sizeField = ''] = line.slice(0, quoteAt).trim().split(/\s+/);
    const { value: name, end } = readQuoted(line, quoteAt);
    const rest = line.slice(end);
    const entry = { type: mode[0] ?? '?', name, size: /^\d+$/.test(sizeField) ? Number(sizeField) : 0 };
    const link = /^ (->|link to) (?=")/.exec(rest);
    if (link) {
        const target = readQuoted(rest, link[0].length);
        if (target.end !== rest.length)
            throw new Error('unexpected text after the link target');
        entry.target = target.value;
    }
    else if (rest !== '') {
        // GNU tar appends e.g. " --Volume Header--" or " unknown file type" for types we refuse anyway.
        entry.type = entry.type === '-' ? '?' : entry.type;
    }
    return entry;
}
function hasDotDot(value) {
    return value.split('/').includes('..');
}
/** Why extracting this entry could reach outside the target directory or create a special file; null if safe. */
function unsafeReason(entry) {
    if (entry.name.startsWith('/'))
        return 'absolute path';
    if (hasDotDot(entry.name))
        return "path with a '..' component";
    switch (entry.type) {
        case '-':
        case 'C': // contiguous file: a regular file to every modern tar
        case 'd':
            return null;
        case 'l': {
            // A listing in another locale words links differently; a target that could not be read is never waved through.
            if (entry.target === undefined)
                return 'symlink whose target could not be read from the listing';
            const target = entry.target;
            if (target.startsWith('/'))
                return `symlink to the absolute path ${JSON.stringify(target)}`;
            const resolved = node_path__WEBPACK_IMPORTED_MODULE_0___default().posix.normalize(node_path__WEBPACK_IMPORTED_MODULE_0___default().posix.join(node_path__WEBPACK_IMPORTED_MODULE_0___default().posix.dirname(entry.name), target));
            if (resolved === '..' || resolved.startsWith('../'))
                return `symlink ${JSON.stringify(target)} points outside the archive`;
            return null;
        }
        case 'h': {
            if (entry.target === undefined)
                return 'hard link whose target could not be read from the listing';
            const target = entry.target;
            if (target.startsWith('/'))
                return `hard link to the absolute path ${JSON.stringify(target)}`;
            if (hasDotDot(target))
                return `hard link to ${JSON.stringify(target)} outside the archive`;
            return null;
        }
        case 'c':
        case 'b':
            return 'device file';
        case 'p':
            return 'FIFO';
        default:
            return `unsupported entry type '${entry.type}'`;
    }
}
/**
 * Running totals over a listing, fed one line at a time so a million-entry archive is never held as
 * text, and memory stays the same however many entries it has: counts, not names. (A member stored
 * twice would count twice and fail the drill's comparison with what was extracted: tar never writes
 * one when creating an archive.)
 */
class ListingTally {
    files = 0;
    totalBytes = 0;
    unsafe = [];
    unsafeCount = 0;
    directories = 0;
    symlinks = 0;
    hardLinks = 0;
    /** Every safe symlink (name → target, names without "./"), to resolve them together at the end: links are few. */
    links = new Map();
    add(line) {
        let entry;
        try {
            entry = parseListingLine(line);
        }
        catch (error) {
            this.reject(JSON.stringify(line.slice(0, 200)), `unreadable listing line (${error.message})`);
            return;
        }
        const reason = unsafeReason(entry);
        if (reason) {
            this.reject(JSON.stringify(entry.name), reason);
            return;
        }
        if (entry.type === '-' || entry.type === 'C') {
            this.files++;
            this.totalBytes += entry.size;
        }
        else if (entry.type === 'd')
            this.directories++;
        else if (entry.type === 'l') {
            this.symlinks++;
            this.links.set(memberPath(entry.name), entry.target ?? '');
        }
        else if (entry.type === 'h')
            this.hardLinks++;
    }
    /** Keeps the first few for the report; the count says how many there were in all. */
    reject(what, reason) {
        this.unsafeCount++;
        if (this.unsafe.length < 10)
            this.unsafe.push(`${what}: ${reason}`);
    }
}
/** A member name as a plain relative path: "./a/./b/" is "a/b", so names from tar and from links compare. */
function memberPath(name) {
    return node_path__WEBPACK_IMPORTED_MODULE_0___default().posix
        .normalize(name)
        .replace(/^(\.\/)+/, '')
        .replace(/\/$/, '');
}
const MAX_LINK_HOPS = 40;
/**
 * Whether the symlink at `linkPath` (relative to an extraction root) resolves to inside that root, given
 * every symlink under the root and its target as they are on disk. Resolution follows the kernel's: each
 * link met on the way is replaced by its target, ".." leaves the directory the path has reached, so a chain
 * like x -> . and y -> x/x/../.. is seen for what it is. Missing components are taken as plain directories,
 * like realpath -m; a path that needs more than 40 links never resolves, so it cannot lead anywhere.
 */
function symlinkStaysInside(linkPath, links) {
    const start = links.get(linkPath) ?? '';
    if (start.startsWith('/'))
        return false;
    const reached = linkPath.split('/').filter(Boolean).slice(0, -1);
    // A stack: the next component to resolve is last.
    let pending = start.split('/').reverse();
    let hops = 0;
    while (pending.length > 0) {
        const component = pending.pop();
        if (component === '' || component === '.')
            continue;
        if (component === '..') {
            if (reached.length === 0)
                return false;
            reached.pop();
            continue;
        }
        reached.push(component);
        const target = links.get(reached.join('/'));
        if (target === undefined)
            continue;
        if (target.startsWith('/'))
            return false;
        if (++hops > MAX_LINK_HOPS)
            return true;
        reached.pop();
        pending = [...pending, ...target.split('/').reverse()];
    }
    return true;
}


/***/ }),

/***/ 9401:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   DI: () => (/* binding */ unsafeTreeError),
/* harmony export */   GX: () => (/* binding */ RESTORE_LEFTOVER_NAMES),
/* harmony export */   In: () => (/* binding */ levelOf),
/* harmony export */   S0: () => (/* binding */ streamTar),
/* harmony export */   Tl: () => (/* binding */ extractTarConfined)
/* harmony export */ });
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(151);
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2386);
/* harmony import */ var _compression_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2328);
/* harmony import */ var _tar_entries_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(5004);





/** The part record's `incremental` field for a tarball taken with `snapshot`. */
const levelOf = (snapshot) => (snapshot ? { incremental: { level: snapshot.level } } : {});
/**
 * What a restore leaves beside the data it changed: the data it replaced (kept by rename, the safety copy)
 * and staging directories of a restore that was killed. They are never part of a backup.
 */
const RESTORE_LEFTOVER_NAMES = ['.selfhost-backup-replaced-*', '.selfhost-restore.*'];
/**
 * Streams a compressed tarball of host paths to `out`. Exit code 1 from GNU tar means "a file changed
 * while being read" (live logs do that); the archive is still complete, so it becomes a warning.
 */
async function streamTar(host, spec, out) {
    const tarArgv = [
        'tar',
        '--create',
        '--file=-',
        '--format=posix',
        '--sparse',
        '--anchored',
        // Device numbers change across reboots and on network filesystems; without this, such a change re-sends everything.
        ...(spec.snapshot ? [`--listed-incremental=${spec.snapshot.next}`, '--no-check-device'] : []),
        ...spec.excludes.map(pattern => `--exclude=${pattern}`),
        ...RESTORE_LEFTOVER_NAMES.flatMap(name => [`--exclude=./${name}`, `--exclude=./*/${name}`]),
        ...(spec.paths.length > 0 ? ['--', ...spec.paths] : ['--files-from=/dev/null'])
    ];
    const text = (0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .script */ .K$)(...snapshotSetup(spec.snapshot), `cd -- ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .quote */ .hD)(spec.cwd)}`, `{ rc=0; ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .command */ .G5)(tarArgv)} || rc=$?; if [ "$rc" -eq 1 ]; then echo 'selfhost-backup-warning: some files changed while they were read' >&2; rc=0; fi; exit "$rc"; } | ${(0,_compression_js__WEBPACK_IMPORTED_MODULE_2__/* .compressCommand */ .wu)(spec.compression)}`);
    const result = await host.run(text, { stdout: out, description: spec.description });
    const warnings = result.stderr.includes('selfhost-backup-warning') ? [`${spec.description}: some files changed while they were read`] : [];
    return { warnings };
}
/** tar writes its new state into `next`, which starts as a copy of the parent's state (or absent: a full backup). */
function snapshotSetup(snapshot) {
    if (!snapshot)
        return [];
    return [`rm -f -- ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .quote */ .hD)(snapshot.next)}`, ...(snapshot.previous ? [`cp -- ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .quote */ .hD)(snapshot.previous)} ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .quote */ .hD)(snapshot.next)}`] : [])];
}
/** Precedes the records on stdout: a login shell's rc files may print before the script does. */
const RECORDS_MARK = 'selfhost-backup-tree';
/**
 * One NUL-separated record per entry a restore must look at: symlinks with their targets, device files,
 * FIFOs and sockets, set-id non-directories (a set-gid directory only passes its group on), and files with
 * more than one hard link. find never follows links, so the records describe what is on disk.
 */
const TREE_RECORDS = [
    '(',
    '-type',
    'l',
    '-printf',
    'l\\0%P\\0%l\\0',
    ')',
    '-o',
    '(',
    '(',
    '-type',
    'b',
    '-o',
    '-type',
    'c',
    '-o',
    '-type',
    'p',
    '-o',
    '-type',
    's',
    ')',
    '-printf',
    's\\0%P\\0%y\\0',
    ')',
    '-o',
    '(',
    '!',
    '-type',
    'd',
    '-perm',
    '/6000',
    '-printf',
    'u\\0%P\\0',
    ')',
    '-o',
    '(',
    '-type',
    'f',
    '-links',
    '+1',
    '-printf',
    'h\\0%P\\0%i\\0%n\\0',
    ')'
];
const FIELDS = { l: 2, s: 2, u: 1, h: 3, r: 1 };
const SPECIAL_NAMES = { b: 'a block device', c: 'a character device', p: 'a FIFO', s: 'a socket' };
/** The refusal of a tarball whose extracted tree holds what a restore must not write, or undefined when it holds none. */
function unsafeTreeError(file, found) {
    if (found.count === 0)
        return undefined;
    const more = found.count > found.entries.length ? ` (and ${found.count - found.entries.length} more)` : '';
    return new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .VerificationError */ .mk(`${file} holds ${found.count} entr${found.count === 1 ? 'y' : 'ies'} a restore must not write: ${found.entries.join('; ')}${more}. Nothing on the host was changed.`, "restore another backup (set backup-id), and find out how these entries got into the application's directory.");
}
/**
 * Extracts a compressed tarball from `input` into `dest` inside a pinned staging directory, keeping modes and
 * owners (an incremental tarball as one: files its directories no longer list are deleted), then examines
 * the tree as it is on disk now. Run after every tarball of a chain: GNU tar leaves a link whose target has
 * ".." or a leading "/" as a placeholder until it ends, so the next tarball is the first to write through it.
 */
async function extractTarConfined(host, spec, input) {
    const tarArgv = ['tar', '--extract', '--file=-', '--preserve-permissions', ...(spec.incremental ? ['--listed-incremental=/dev/null'] : []), '--directory', spec.dest];
    if (spec.hashInput && 'hostFile' in input)
        throw new Error('hashInput hashes a stream from the runner, not a file on the host');
    const inspector = new TreeInspector();
    const archive = (0,_compression_js__WEBPACK_IMPORTED_MODULE_2__/* .decompressing */ .wU)(spec.compression, input);
    const extract = `${archive.text} | ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .command */ .G5)(tarArgv)}`;
    const mark = `printf '%s\\0' ${RECORDS_MARK}`;
    const lines = spec.hashInput ? hashedExtraction(extract, mark) : [extract, mark];
    const text = (0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .script */ .K$)(...spec.enter, ...lines, (0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .command */ .G5)(['find', `${spec.dest}/`, '-mindepth', '1', ...TREE_RECORDS]));
    const sink = inspector.sink();
    try {
        await host.run(text, { stdin: archive.stdin, stdout: sink, description: spec.description });
    }
    catch (error) {
        // What arrived explains a failed extraction best when it is not what was sent: the caller compares first.
        const marker = /^selfhost-backup-received ([0-9a-f]{64})\n?/m;
        const received = error instanceof _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .HostCommandError */ .MK ? marker.exec(error.stderr)?.[1] : undefined;
        if (received === undefined)
            throw error;
        // The marker is for this code, not for the reader of the error.
        const failed = error;
        return { entries: [], count: 0, received, failure: failed.withStderr(failed.stderr.replace(marker, '')) };
    }
    finally {
        sink.end();
    }
    await new Promise((resolve, reject) => sink.once('finish', resolve).once('error', reject));
    return inspector.problems();
}
/**
 * Hashed where it lands: tee hands the compressed bytes to sha256sum (descriptor 4) while they are extracted,
 * and keeps reading them all when the extraction stops early (-p), so a failure still reports what arrived.
 */
function hashedExtraction(extract, mark) {
    return [
        'rc=0',
        `received=$( { tee -p /dev/fd/4 | ${extract} >&2; } 4>&1 | sha256sum ) || rc=$?`,
        'received=${received%% *}',
        'if [ "$rc" -ne 0 ]; then printf \'selfhost-backup-received %s\\n\' "$received" >&2; exit "$rc"; fi',
        mark,
        `printf 'r\\0%s\\0' "$received"`
    ];
}
/** Reads the records as they stream (a tree may hold millions of entries) and judges them at the end. */
class TreeInspector {
    pending = Buffer.alloc(0);
    started = false;
    fields = [];
    links = new Map();
    inodes = new Map();
    found = [];
    count = 0;
    received;
    first = true;
    sink() {
        return new node_stream__WEBPACK_IMPORTED_MODULE_0__.Writable({
            write: (chunk, _encoding, done) => {
                this.take(chunk);
                done();
            }
        });
    }
    problems() {
        for (const [path, target] of this.links) {
            if (!(0,_tar_entries_js__WEBPACK_IMPORTED_MODULE_3__/* .symlinkStaysInside */ .OZ)(path, this.links))
                this.refuse(path, `a symlink to ${shown(target)}, which resolves outside the restored directory`);
        }
        for (const { seen, links, name } of this.inodes.values()) {
            if (seen < links)
                this.refuse(name, `a hard link to a file outside the restored directory (${links} links, ${seen} inside)`);
        }
        return { entries: this.found, count: this.count, ...(this.received !== undefined ? { received: this.received } : {}) };
    }
    take(chunk) {
        this.pending = Buffer.concat([this.pending, chunk]);
        if (!this.started) {
            const mark = this.pending.indexOf(`${RECORDS_MARK}\0`);
            if (mark < 0)
                return;
            this.pending = this.pending.subarray(mark + RECORDS_MARK.length + 1);
            this.started = true;
        }
        let end;
        while ((end = this.pending.indexOf(0)) >= 0) {
            // latin1 keeps every byte of a name apart: two names that differ only in invalid UTF-8 must not merge.
            this.fields.push(this.pending.subarray(0, end).toString('latin1'));
            this.pending = this.pending.subarray(end + 1);
            const [kind] = this.fields;
            if (this.fields.length === 1 + (FIELDS[kind] ?? 0))
                this.record(this.fields.splice(0));
        }
    }
    record([kind, path, ...rest]) {
        const first = this.first;
        this.first = false;
        // The received hash comes first, before find's records; anywhere else it is not ours.
        if (kind === 'r' && first)
            this.received = path;
        else if (kind === 'l')
            this.links.set(path, rest[0]);
        else if (kind === 's')
            this.refuse(path, SPECIAL_NAMES[rest[0]] ?? 'a special file');
        else if (kind === 'u')
            this.refuse(path, 'a file with the setuid or setgid bit');
        else if (kind === 'h') {
            const known = this.inodes.get(rest[0]) ?? { seen: 0, links: Number(rest[1]), name: path };
            known.seen++;
            this.inodes.set(rest[0], known);
        }
        else
            this.refuse(path ?? kind, 'an entry the check could not read');
    }
    refuse(path, reason) {
        this.count++;
        if (this.found.length < 10)
            this.found.push(`${shown(path)}: ${reason}`);
    }
}
/** Names as the user would see them, JSON-quoted so no line break or control character reaches a log line raw. */
function shown(latin1) {
    return JSON.stringify(Buffer.from(latin1, 'latin1').toString('utf8'));
}


/***/ })

};
