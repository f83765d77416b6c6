export const id = 147;
export const ids = [147];
export const modules = {

/***/ 7147:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   checkRecentVerifiedBackup: () => (/* binding */ checkRecentVerifiedBackup),
/* harmony export */   compareWithPrevious: () => (/* binding */ compareWithPrevious),
/* harmony export */   fetchManifest: () => (/* binding */ fetchManifest),
/* harmony export */   listVerified: () => (/* binding */ listVerified)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2386);
/* harmony import */ var _kernel_log_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(8807);
/* harmony import */ var _kernel_manifest_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(592);
/* harmony import */ var _kernel_manifest_file_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(3270);






/** The stored manifest of a backup, signature verified, fetched into a temp dir that is removed again. */
async function fetchManifest(store, backup, reading) {
    const dir = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.mkdtemp)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(reading.workRoot, 'selfhost-backup-manifest-'));
    try {
        return await (0,_kernel_manifest_file_js__WEBPACK_IMPORTED_MODULE_4__/* .readManifest */ .WI)(await store.fetch(backup, (0,_kernel_manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .manifestFileName */ .V6)(backup.backupId), dir), backup.backupId, reading.trust);
    }
    finally {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rm)(dir, { recursive: true, force: true });
    }
}
const contentBytes = (part) => part.plaintext?.bytes ?? part.bytes;
/**
 * Compares each part with the previous complete backup of the same app and host: a part that shrank
 * by more than the threshold often means data went missing on the server (a wiped volume, an empty dump).
 */
async function compareWithPrevious(store, current, settings, reading, logger) {
    // With fail-on-shrink the check is a gate, and a gate that could not look fails; otherwise it only warns.
    const cannotCheck = (why) => {
        if (settings.failOnShrink)
            return { shrunk: [`the size check could not run (fail-on-shrink is on): ${why}`] };
        logger.warning(`Size check skipped: ${why}`);
        return { shrunk: [] };
    };
    let previous;
    try {
        previous = (await store.list({ app: current.app, hostId: current.hostId }))[0];
    }
    catch (error) {
        return cannotCheck(`the previous backups could not be listed (${error.message}).`);
    }
    if (!previous)
        return { shrunk: [] };
    let before;
    try {
        before = await fetchManifest(store, previous, reading);
    }
    catch (error) {
        return cannotCheck(error.message);
    }
    const shrunk = [];
    for (const part of current.parts) {
        const old = before.parts.find(candidate => candidate.name === part.name);
        // An incremental tarball holds only changes: its size says nothing about the data's.
        if (!old || contentBytes(old) === 0 || (0,_kernel_manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .isIncrementPart */ .tZ)(part) || (0,_kernel_manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .isIncrementPart */ .tZ)(old))
            continue;
        const drop = (1 - contentBytes(part) / contentBytes(old)) * 100;
        if (drop > settings.shrinkThreshold) {
            shrunk.push(`${part.name} shrank by ${drop.toFixed(0)}% (${(0,_kernel_log_js__WEBPACK_IMPORTED_MODULE_5__/* .formatBytes */ .z3)(contentBytes(old))} in ${previous.backupId} → ${(0,_kernel_log_js__WEBPACK_IMPORTED_MODULE_5__/* .formatBytes */ .z3)(contentBytes(part))})`);
        }
    }
    for (const line of shrunk)
        logger.warning(`Size check: ${line}`);
    return { previous: previous.backupId, shrunk };
}
/** mode: check — passes only when a drill-verified backup of this app and host is younger than max-age. */
async function checkRecentVerifiedBackup(store, target, maxAgeSeconds, workRoot, trust, logger, now = new Date()) {
    const seen = [];
    for (const backup of (await store.list(target)).slice(0, 20)) {
        let manifest;
        try {
            manifest = await fetchManifest(store, backup, { workRoot, trust });
        }
        catch (error) {
            // A forged or damaged backup neither passes the gate nor hides the genuine ones behind it.
            if (!(error instanceof _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SelfhostBackupError */ .FZ))
                throw error;
            logger.warning(`mode: check ignores ${backup.backupId}: ${error.message}`);
            seen.push(`${backup.backupId} (refused: not a verifiable backup)`);
            continue;
        }
        const ageSeconds = (now.getTime() - Date.parse(manifest.finishedAt)) / 1000;
        const verified = manifest.verification?.method === 'drill' && manifest.verification.ok;
        if (verified && ageSeconds <= maxAgeSeconds)
            return manifest;
        seen.push(`${backup.backupId} (${Math.round(ageSeconds / 3600)} h old, ${verified ? 'drill-verified' : 'not drill-verified'})`);
        if (ageSeconds > maxAgeSeconds)
            break;
    }
    throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .NoBackupError */ .ml(`No drill-verified ${target.app} backup of ${target.hostId} is younger than ${maxAgeSeconds} s.${seen.length > 0 ? ` Newest found: ${seen.join(', ')}.` : ' None was found.'}`, 'run the backup (with verify: drill) before the gated job, or raise max-age.');
}
/** The store's complete backups whose manifests verify, newest first; the others are named in one warning each. */
async function listVerified(store, filter, reading, logger) {
    const verified = [];
    for (const backup of await store.list(filter)) {
        try {
            await fetchManifest(store, backup, reading);
            verified.push(backup);
        }
        catch (error) {
            if (!(error instanceof _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SelfhostBackupError */ .FZ))
                throw error;
            logger.warning(`${backup.backupId} is not listed: ${error.message}`);
        }
    }
    return verified;
}


/***/ })

};
