export const id = 715;
export const ids = [715];
export const modules = {

/***/ 6283:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Fy: () => (/* binding */ placeMovedBecause),
/* harmony export */   Tj: () => (/* binding */ ROOT_PLACE),
/* harmony export */   Wy: () => (/* binding */ unsafePlaceError),
/* harmony export */   c4: () => (/* binding */ refuseUnsafePlace),
/* harmony export */   dh: () => (/* binding */ chooseSafePlaceLines),
/* harmony export */   mi: () => (/* binding */ PLACE_MOVED_MARK),
/* harmony export */   rC: () => (/* binding */ dataRootTag),
/* harmony export */   rQ: () => (/* binding */ besideDataRoot),
/* harmony export */   yw: () => (/* binding */ chooseSafePlace)
/* harmony export */ });
/* unused harmony exports UNSAFE_PLACE_EXIT_CODE, UnsafeHostPlaceError */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2386);
/* harmony import */ var _kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(151);
/**
 * Places on the host that selfhost-backup itself writes beside the data (the lock file, the incremental
 * state, the safety copies). They often sit in a directory the application's user owns, such as the home
 * of the user tabby, while the work runs as root: whoever can write that directory can put a link where
 * the place will be, and root would then create or write a file of their choosing. So before a place is
 * used, the host checks it: the place is no link, and no directory on the way to it can be written by
 * anyone but root, the effective user, and the user who ran sudo (who could run anything as root anyway).
 */




/** A short stable tag of a data root: names the lock, the state and the safety copies kept for it. */
function dataRootTag(dataRoot) {
    return (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(dataRoot).digest('hex').slice(0, 12);
}
/** A place of ours beside the data directory (`.selfhost-backup-<what><tag>`), named after the data root it serves. */
function besideDataRoot(dataRoot, what, suffix = '') {
    return node_path__WEBPACK_IMPORTED_MODULE_1__.posix.join(node_path__WEBPACK_IMPORTED_MODULE_1__.posix.dirname(dataRoot), `.selfhost-backup-${what}${dataRootTag(dataRoot)}${suffix}`);
}
/** A root-owned home for places that cannot stay beside the data; only root can use it. */
const ROOT_PLACE = '/var/lib/selfhost-backup';
/** The exit code and stderr mark of a refusal; the mark makes the code unambiguous. */
const UNSAFE_PLACE_EXIT_CODE = 86;
const UNSAFE_PLACE_MARK = 'selfhost-backup-unsafe-place';
/** A place was refused on the host: the message names it and why, the hint how to fix it. */
class UnsafeHostPlaceError extends _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SelfhostBackupError */ .FZ {
}
/**
 * Prints why a place is unsafe and returns 2 when a directory on its way is the problem, 1 when the place
 * itself is; returns 0 when it is safe. Fixed text: the place and its kind come in as arguments. The walk
 * goes up the physical path from the nearest existing directory (a missing one will be created by the
 * caller, as the effective user), and owners are compared by uid.
 */
const PROBLEM_FUNCTION = String.raw `selfhost_backup_place_problem() {
  local place=$1 kind=$2 trusted=" 0 $EUID " directory physical info owner group mode owner_name group_name
  if [[ -v SUDO_UID && $SUDO_UID =~ ^[0-9]+$ ]]; then trusted+="$SUDO_UID "; fi
  directory=$(dirname -- "$place")
  while [ ! -e "$directory" ] && [ ! -L "$directory" ]; do directory=$(dirname -- "$directory"); done
  if [ -L "$directory" ]; then echo "its directory $directory is a symbolic link"; return 2; fi
  physical=$(cd -P -- "$directory" && pwd -P) || { echo "its directory $directory cannot be entered"; return 2; }
  while :; do
    info=$(stat -c '%u %g %a %U %G' -- "$physical") || { echo "the directory $physical cannot be examined"; return 2; }
    read -r owner group mode owner_name group_name <<< "$info"
    if [[ "$trusted" != *" $owner "* ]]; then echo "the directory $physical can be written by its owner, the user $owner_name (uid $owner)"; return 2; fi
    if (( 8#$mode & 8#002 )) && ! (( 8#$mode & 8#1000 )); then echo "the directory $physical can be written by every user"; return 2; fi
    if (( 8#$mode & 8#020 )) && ! (( 8#$mode & 8#1000 )); then echo "the directory $physical can be written by the group $group_name"; return 2; fi
    [ "$physical" = / ] && break
    physical=$(dirname -- "$physical")
  done
  if [ -L "$place" ]; then echo "it is a symbolic link"; return 1; fi
  [ -e "$place" ] || return 0
  if [ "$kind" = file ] && [ ! -f "$place" ]; then echo "it is not a regular file"; return 1; fi
  if [ "$kind" = directory ] && [ ! -d "$place" ]; then echo "it is not a directory"; return 1; fi
  info=$(stat -c '%u %g %a %U %G' -- "$place") || { echo "it cannot be examined"; return 1; }
  read -r owner group mode owner_name group_name <<< "$info"
  if [[ "$trusted" != *" $owner "* ]]; then echo "it belongs to the user $owner_name (uid $owner)"; return 1; fi
  if [ "$kind" = directory ] && (( 8#$mode & 8#002 )); then echo "it can be written by every user"; return 1; fi
  if [ "$kind" = directory ] && (( 8#$mode & 8#020 )); then echo "it can be written by the group $group_name"; return 1; fi
  return 0
}`;
const indent = (lines) => lines.map(line => `  ${line}`);
/** Leaves the reason in $place_problem and the problem function's answer in $place_code. */
function placeProblemCheck(place) {
    return `place_code=0; place_problem=$(selfhost_backup_place_problem ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(place.path)} ${place.kind}) || place_code=$?`;
}
/** Ends the script with UNSAFE_PLACE_EXIT_CODE and one stderr line: what and why, then how to fix it. */
function refusal(place) {
    const what = `${place.name} ${place.path}`;
    // A link at the place is never ours, so it goes; a directory others can write is theirs to keep.
    const linkFix = `remove the link ${place.path} (selfhost-backup never makes one) and find out who made it; or ${place.fix}`;
    return [
        `case "$place_problem" in 'it is a symbolic link') place_fix=${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(linkFix)} ;; *) place_fix=${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(place.fix)} ;; esac`,
        `printf '%s\\t%s: %s\\t%s\\n' ${UNSAFE_PLACE_MARK} ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(what)} "$place_problem" "$place_fix" >&2`,
        `exit ${UNSAFE_PLACE_EXIT_CODE}`
    ];
}
/**
 * Bash lines for a script, before it uses the place: they end it with UNSAFE_PLACE_EXIT_CODE and one
 * line on stderr (turned into an error by `unsafePlaceError`) when the place is unsafe. The place itself
 * is not created.
 */
function refuseUnsafePlace(place) {
    return [PROBLEM_FUNCTION, placeProblemCheck(place), 'if [ "$place_code" != 0 ]; then', ...indent(refusal(place)), 'fi'];
}
/**
 * The clear error for a host command refused by `refuseUnsafePlace`, from a HostCommandError or a
 * RunResult (both carry exitCode and stderr); undefined for any other failure, so callers can write
 * `throw unsafePlaceError(error) ?? error`.
 */
function unsafePlaceError(failure) {
    if (typeof failure !== 'object' || failure === null)
        return undefined;
    const { exitCode, stderr } = failure;
    if (exitCode !== UNSAFE_PLACE_EXIT_CODE || typeof stderr !== 'string')
        return undefined;
    const line = stderr
        .split('\n')
        .reverse()
        .find(candidate => candidate.startsWith(`${UNSAFE_PLACE_MARK}\t`));
    if (!line)
        return undefined;
    const [, problem = '', fix = ''] = line.split('\t');
    return new UnsafeHostPlaceError(`Refusing to use ${problem}.`, fix, { cause: failure });
}
/**
 * Bash lines that leave in $place the path to use: `place` itself when it is safe; when a directory on
 * its way is not and the script runs as root, `fallback` (inside ROOT_PLACE, which only root can write),
 * after echoing `<movedMark>\t<why>` on stdout. Anything else is refused as by `refuseUnsafePlace`: a
 * link or a stranger's file at the place, in a directory only trusted users can write, is a sign of
 * tampering that someone should look at, rather than step around.
 */
function chooseSafePlaceLines(place, fallback, movedMark) {
    const fallbackPlace = { ...place, path: fallback };
    const directory = place.kind === 'directory' ? fallback : node_path__WEBPACK_IMPORTED_MODULE_1__.posix.dirname(fallback);
    return [
        PROBLEM_FUNCTION,
        `place=${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(place.path)}`,
        placeProblemCheck(place),
        'if [ "$place_code" = 2 ] && [ "$EUID" = 0 ]; then',
        `  printf '%s\\t%s\\n' ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(movedMark)} "$place_problem"`,
        // umask for every directory mkdir -p makes, not only the last (which is all -m would cover).
        `  (umask 077 && mkdir -p -- ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(directory)})`,
        `  place=${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(fallback)}`,
        `  ${placeProblemCheck(fallbackPlace)}`,
        '  if [ "$place_code" != 0 ]; then',
        ...indent(indent(refusal(fallbackPlace))),
        '  fi',
        'elif [ "$place_code" != 0 ]; then',
        ...indent(refusal(place)),
        'fi'
    ];
}
/**
 * For a caller that needs the path before it builds its own scripts (the incremental state directory):
 * the place, or its fallback when the place is unsafe and the host runs this as root. Creates nothing but
 * the fallback's directory; a refusal throws UnsafeHostPlaceError.
 */
async function chooseSafePlace(host, place, fallback) {
    const result = await host.run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .script */ .K$)(...chooseSafePlaceLines(place, fallback, PLACE_MOVED_MARK), 'printf "selfhost-backup-place=%s\\n" "$place"'), {
        allowFailure: true,
        description: `Checking ${place.name} ${place.path}`
    });
    const refused = unsafePlaceError(result);
    if (refused)
        throw refused;
    const chosen = result.stdout.split('\n').find(line => line.startsWith('selfhost-backup-place='));
    if (result.exitCode !== 0 || chosen === undefined) {
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SelfhostBackupError */ .FZ(`Could not check ${place.name} ${place.path} on the host (exit code ${result.exitCode}): ${result.stderr.trim()}`);
    }
    const path = chosen.slice('selfhost-backup-place='.length);
    // Only the two paths this code offered are accepted, whatever the host printed.
    if (path !== place.path && path !== fallback)
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SelfhostBackupError */ .FZ(`The host answered an unexpected place for ${place.name}: ${path}`);
    return path === fallback ? { path, movedBecause: placeMovedBecause(result.stdout) } : { path };
}
/** The mark chooseSafePlaceLines echoes, for a caller that reads why the place moved (placeMovedBecause). */
const PLACE_MOVED_MARK = 'selfhost-backup-place-moved';
/** Why chooseSafePlaceLines, run with PLACE_MOVED_MARK, moved the place to its fallback, from the script's stdout. */
function placeMovedBecause(stdout) {
    const line = stdout.split('\n').find(candidate => candidate.startsWith(`${PLACE_MOVED_MARK}\t`));
    return line?.slice(PLACE_MOVED_MARK.length + 1) ?? '';
}


/***/ }),

/***/ 799:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   QM: () => (/* binding */ acquireHostLock)
/* harmony export */ });
/* unused harmony exports lockPathFor, fallbackLockPathFor */
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2386);
/* harmony import */ var _host_places_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6283);
/* harmony import */ var _kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(151);





/**
 * Beside the data directory, so it is on the host that owns the data and writable by whoever writes the
 * data; unless that directory is not safe for the lock (see host-places.ts), when root keeps it in
 * fallbackLockPathFor instead.
 */
function lockPathFor(dataRoot) {
    return (0,_host_places_js__WEBPACK_IMPORTED_MODULE_3__/* .besideDataRoot */ .rQ)(dataRoot, '', '.lock');
}
/** Where root keeps the lock when the directory above the data is one another user can write. */
function fallbackLockPathFor(dataRoot, rootPlace = _host_places_js__WEBPACK_IMPORTED_MODULE_3__/* .ROOT_PLACE */ .Tj) {
    return node_path__WEBPACK_IMPORTED_MODULE_0__.posix.join(rootPlace, 'locks', node_path__WEBPACK_IMPORTED_MODULE_0__.posix.basename(lockPathFor(dataRoot)));
}
const lockPlace = (dataRoot) => ({
    path: lockPathFor(dataRoot),
    name: 'the lock file',
    kind: 'file',
    fix: `run with sudo: true, so that root keeps the lock in ${_host_places_js__WEBPACK_IMPORTED_MODULE_3__/* .ROOT_PLACE */ .Tj}; or let only root and the user that runs the backup write ${node_path__WEBPACK_IMPORTED_MODULE_0__.posix.dirname(dataRoot)} and the directories above it`
});
const LOCKED = 'selfhost-backup-locked';
const UNLOCKED = 'selfhost-backup-unlocked';
const HELD = 'selfhost-backup-held';
const MOVED = 'selfhost-backup-lock-moved';
/** A healthy holder answers in one round trip; this only bounds a connection that hangs without dropping. */
const ANSWER_TIMEOUT_MS = 30_000;
/**
 * One backup or restore of a data directory at a time. A shell on the host holds flock(1) on the lock
 * file for as long as its stdin stays open; if the runner dies, the connection drops, the shell reads EOF
 * and the kernel releases the lock, so a crash never leaves a stale lock behind. The shell answers each
 * line it reads, so assertHeld can prove it is still there; `read` is a builtin, so the shell is the one
 * process holding the lock, and when it ends, the lock and the command end together.
 */
async function acquireHostLock(host, dataRoot, timeoutSeconds, logger, options = {}) {
    const fallback = fallbackLockPathFor(dataRoot, options.rootPlace);
    let path = lockPathFor(dataRoot);
    const holdOpen = new node_stream__WEBPACK_IMPORTED_MODULE_1__.PassThrough();
    let acquired = () => undefined;
    const locked = new Promise(resolve => (acquired = resolve));
    let answers = 0;
    let answered = () => undefined;
    let pending = '';
    const watcher = new node_stream__WEBPACK_IMPORTED_MODULE_1__.Writable({
        write(chunk, _encoding, done) {
            const lines = (pending + chunk.toString()).split('\n');
            pending = lines.pop() ?? '';
            for (const line of lines) {
                // includes, not equality: a login shell's rc files may print before the script does.
                if (line.includes(LOCKED))
                    acquired();
                const moved = line.indexOf(`${MOVED}\t`);
                if (moved >= 0) {
                    path = fallback;
                    logger.info(`The lock of ${dataRoot} is kept in ${fallback}, not beside the data: ${line.slice(moved + MOVED.length + 1)}.`);
                }
                if (line.includes(UNLOCKED)) {
                    logger.warning(`flock is missing on the host: this ${dataRoot} job runs without a lock, so two backups or restores of it could overlap. Install util-linux on the host.`);
                    acquired();
                }
                if (line.includes(HELD)) {
                    answers++;
                    answered();
                }
            }
            done();
        }
    });
    const answerLines = `while read -r _; do echo ${HELD}; done`;
    const text = (0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .script */ .K$)(`command -v flock >/dev/null || { echo ${UNLOCKED}; ${answerLines}; exit 0; }`, ...(0,_host_places_js__WEBPACK_IMPORTED_MODULE_3__/* .chooseSafePlaceLines */ .dh)(lockPlace(dataRoot), fallback, MOVED), 
    // Checked safe just now, so only a trusted user (root, this one, the one who ran sudo) could change it. Still opened so that
    // no link is followed into a write: created with O_EXCL (noclobber) when missing, else read-only,
    // which is all flock needs. 0600, so that no other user can open it and hold the lock.
    'if [ -e "$place" ]; then exec 9<"$place"; else (umask 077 && set -o noclobber && : >"$place"); exec 9<"$place"; fi', `if ! flock -n 9; then echo "waiting" >&2; flock -w ${Math.max(1, Math.floor(timeoutSeconds))} 9 || exit 75; fi`, `echo ${LOCKED}`, answerLines);
    const holding = host.run(text, { stdin: holdOpen, stdout: watcher, allowFailure: true, description: `Locking ${path}`, survivesInterruption: true });
    let released = false;
    let ended;
    const holderEnded = holding.then(result => (ended = { result }), (error) => (ended = { error }));
    const waitingNotice = setTimeout(() => logger.info(`Waiting up to ${timeoutSeconds} s for another backup or restore of ${dataRoot} to finish (lock ${path})…`), 1000);
    const outcome = await Promise.race([locked.then(() => 'locked'), holding.then(result => result)]);
    clearTimeout(waitingNotice);
    if (outcome !== 'locked') {
        const refused = (0,_host_places_js__WEBPACK_IMPORTED_MODULE_3__/* .unsafePlaceError */ .Wy)(outcome);
        if (refused)
            throw refused;
        if (outcome.exitCode === 75) {
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SelfhostBackupError */ .FZ(`Another backup or restore of ${dataRoot} is still running on the host (lock ${path} held for more than ${timeoutSeconds} s).`, 'wait for it to finish, or raise lock-timeout; if no such job runs, the lock is released automatically when its process ends.');
        }
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SelfhostBackupError */ .FZ(`Could not take the lock ${path} on the host (exit code ${outcome.exitCode}): ${outcome.stderr.trim()}`, 'check that the directory above the data directory is writable (sudo: true).');
    }
    const lost = (work, why) => new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SelfhostBackupError */ .FZ(`The lock on the host was lost while the ${work} ran: ${why} (lock ${path}). Another backup or restore of ${dataRoot} could have run at the same time.`, work === 'backup'
        ? 'nothing was stored; run the backup again. If it keeps happening, look for what ends long-running processes or SSH sessions on the host (sshd and system logs).'
        : 'the data was restored, but possibly alongside another job: check the application, and run the restore again. If it keeps happening, look for what ends long-running processes or SSH sessions on the host.');
    return {
        async assertHeld(work) {
            if (released)
                throw new Error('assertHeld called after release()');
            if (ended)
                throw lost(work, describeEnd(ended));
            const expected = answers + 1;
            const answer = new Promise(resolve => {
                answered = () => {
                    if (answers >= expected)
                        resolve();
                };
            });
            holdOpen.write('held?\n');
            let timer;
            const timedOut = new Promise(resolve => (timer = setTimeout(() => resolve('timeout'), ANSWER_TIMEOUT_MS)));
            const result = await Promise.race([answer.then(() => 'held'), holderEnded.then(() => 'ended'), timedOut]);
            clearTimeout(timer);
            if (result === 'held')
                return;
            if (result === 'timeout')
                throw lost(work, `the process holding it did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`);
            throw lost(work, describeEnd(ended));
        },
        async release() {
            released = true;
            holdOpen.end();
            await holding.catch(error => logger.warning(`Releasing the lock ${path}: ${error.message}`));
        }
    };
}
function describeEnd(ended) {
    if (ended?.error !== undefined)
        return `the command holding it failed (${ended.error.message.split('\n')[0]})`;
    const result = ended?.result;
    const stderr = result?.stderr.trim().split('\n').pop();
    const code = result?.exitCode;
    const how = 
    // ssh says 255 both for a dropped connection and for a remote process killed by a signal.
    code === 255
        ? 'the SSH session holding it ended (exit code 255: the connection dropped, or the process on the host was killed)'
        : code !== undefined && code >= 128
            ? `the process holding it was killed (exit code ${code})`
            : `the process holding it ended (exit code ${code ?? 'unknown'})`;
    return `${how}${stderr ? `: ${stderr}` : ''}`;
}


/***/ }),

/***/ 2715:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   runPutBack: () => (/* binding */ runPutBack)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2386);
/* harmony import */ var _kernel_shell_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(151);
/* harmony import */ var _recipes_recipe_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(4817);
/* harmony import */ var _recipes_host_swap_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4466);
/* harmony import */ var _recipes_registry_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(8465);
/* harmony import */ var _lock_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(799);







const STAMP = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;
/**
 * Undoes a restore's swaps: what it replaced (kept beside the data, by rename) goes back into place, newest
 * swap first, and what the restore had put there goes; so do the databases a swap replaced (their kept
 * tables move back). A database imported in place comes back from its own safety backup instead.
 */
async function runPutBack(request) {
    const { transport, logger, stamp } = request;
    if (!STAMP.test(stamp)) {
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz('replaced', `"${stamp}" is not a restore's safety-copy id.`, "copy it from the restore's safety-copy-id output or its error message, e.g. 20261206T031500Z-a1b2c3.");
    }
    await transport.open();
    try {
        const { recipe, options: parsed } = await (0,_recipes_registry_js__WEBPACK_IMPORTED_MODULE_4__.detectRecipe)(transport, request.recipes);
        const options = await recipe.preflight(transport, parsed, 'restore', { logger });
        const lock = await (0,_lock_js__WEBPACK_IMPORTED_MODULE_5__/* .acquireHostLock */ .QM)(transport, recipe.dataRoot(options), request.lockTimeoutSeconds, logger);
        try {
            const swaps = [];
            for (const dir of await recipe.restoredDirectories(transport, options)) {
                const listed = await transport.run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_6__/* .script */ .K$)(`find ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_6__/* .quote */ .hD)(dir.path)} -mindepth 1 -maxdepth 1 -type d -name ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_6__/* .quote */ .hD)(`${_recipes_host_swap_js__WEBPACK_IMPORTED_MODULE_3__/* .REPLACED_PREFIX */ .I_}${stamp}-*`)} -printf '%f\\0'`), {
                    description: `Looking for what the restore ${stamp} replaced in ${dir.path}`
                });
                for (const name of listed.stdout.split('\0').filter(Boolean)) {
                    const order = Number(name.slice(`${_recipes_host_swap_js__WEBPACK_IMPORTED_MODULE_3__/* .REPLACED_PREFIX */ .I_}${stamp}-`.length));
                    if (!Number.isInteger(order) || order < 1)
                        continue;
                    const identityResult = await transport.run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_6__/* .script */ .K$)(`stat -c %d:%i -- ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_6__/* .quote */ .hD)(node_path__WEBPACK_IMPORTED_MODULE_0__.posix.join(dir.path, name))}`), { description: `Opening ${name}` });
                    const replaced = { path: node_path__WEBPACK_IMPORTED_MODULE_0__.posix.join(dir.path, name), steps: [...dir.steps, { name, identity: identityResult.stdout.trim().split('\n').pop() ?? '' }] };
                    const record = await transport.run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_6__/* .script */ .K$)(`cat -- ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_6__/* .quote */ .hD)(node_path__WEBPACK_IMPORTED_MODULE_0__.posix.join(replaced.path, 'swap'))}`), { description: `Reading ${replaced.path}/swap` });
                    const parsedRecord = parseSwapRecord(record.stdout, replaced.path);
                    swaps.push({ ...parsedRecord, dir, replaced, order });
                }
            }
            const nothingFound = () => new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz('replaced', `nothing that the restore ${stamp} replaced was found beside the ${recipe.title} data on ${transport.label}.`, "check the id and the app's directory and database options (the same as for the restore).");
            if (swaps.length === 0 && !recipe.putBackSwapped)
                throw nothingFound();
            const report = [];
            for (const swap of swaps.sort((a, b) => b.order - a.order)) {
                if (!swap.complete && swap.undo.kind === 'tree') {
                    throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .VerificationError */ .mk(`The swap kept in ${swap.replaced.path} stopped part-way during the restore, so put-back cannot tell restored entries from live ones there.`, `move the entries in ${swap.replaced.path}/old back into ${swap.dir.path} by hand; nothing in it was removed.`);
                }
                await (0,_recipes_host_swap_js__WEBPACK_IMPORTED_MODULE_3__/* .putBack */ .pK)(transport, swap, logger);
                report.push(`${swap.part}: ${swap.dir.path} is as it was before the restore ${stamp}`);
                logger.info(report[report.length - 1]);
            }
            // The databases a swap replaced wait in their kept databases on the same server.
            if (recipe.putBackSwapped)
                report.push(...(await recipe.putBackSwapped(transport, options, stamp, { logger })));
            if (report.length === 0)
                throw nothingFound();
            await lock.assertHeld('restore');
            return report;
        }
        finally {
            await lock.release();
        }
    }
    finally {
        await transport.close().catch(error => logger.warning(`Closing the connection: ${error.message}`));
    }
}
/** The record a swap left in its directory: read back from the host, so every field is checked. */
function parseSwapRecord(text, where) {
    const refuse = (why) => {
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .VerificationError */ .mk(`${where}/swap is not a record this tool wrote: ${why}.`, 'put the entries back by hand; nothing was changed.');
    };
    let value;
    try {
        value = JSON.parse(text.trim().split('\n').pop() ?? '');
    }
    catch {
        return refuse('not JSON');
    }
    const record = value;
    if (typeof record !== 'object' || record === null || typeof record.part !== 'string' || typeof record.complete !== 'boolean')
        return refuse('part or complete missing');
    const strings = (list) => Array.isArray(list) && list.every(item => typeof item === 'string');
    if (record.kind === 'tree' && strings(record.keep)) {
        const bad = record.keep.find(pattern => (0,_recipes_recipe_js__WEBPACK_IMPORTED_MODULE_2__/* .relativePathProblem */ .BE)(pattern) !== null);
        if (bad !== undefined)
            refuse(`the kept path ${JSON.stringify(bad)} is not relative`);
        return { part: record.part, complete: record.complete, undo: { kind: 'tree', keep: record.keep } };
    }
    if (record.kind === 'entries' && strings(record.names)) {
        const bad = record.names.find(name => name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0'));
        if (bad !== undefined)
            refuse(`the name ${JSON.stringify(bad)} is not a single entry`);
        return { part: record.part, complete: record.complete, undo: { kind: 'entries', names: record.names } };
    }
    return refuse('unknown kind');
}


/***/ })

};
